// Submits the form of a <select data-autosubmit> as soon as its choice changes. A listener in a
// file, not an onchange="..." attribute: the Content-Security-Policy runs no inline handlers.
(function () {
  "use strict";
  document.addEventListener("change", (event) => {
    const field = event.target;
    if (field instanceof HTMLSelectElement && field.matches("[data-autosubmit]") && field.form) {
      field.form.submit();
    }
  });
})();
