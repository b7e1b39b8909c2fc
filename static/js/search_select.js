// The search box of prm.core.widgets.SearchSelect: as the user types, asks the box's URL for
// matching objects and offers them in its <datalist>; picking one puts its id in the hidden
// field the form submits. Text that names no offered object submits nothing (the filter's
// "All"), so the box never filters by something other than what it shows.
(function () {
  "use strict";
  const WAIT_MS = 200;

  function attach(box) {
    if (box.dataset.searchReady) return;
    box.dataset.searchReady = "1";
    const list = document.getElementById(box.getAttribute("list"));
    const hidden = document.getElementById(box.dataset.searchValue);
    let timer = null;
    let asked = null;

    function pickedId() {
      const match = Array.from(list.options).find((o) => o.value === box.value);
      return match ? match.dataset.id : "";
    }

    function offer(results) {
      list.replaceChildren(
        ...results.map((r) => {
          const option = document.createElement("option");
          option.value = r.label;
          option.dataset.id = r.id;
          return option;
        })
      );
    }

    function ask() {
      const text = box.value.trim();
      if (text === asked) return;
      asked = text;
      const url = box.dataset.searchSelect + "?q=" + encodeURIComponent(text);
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then((response) => (response.ok ? response.json() : { results: [] }))
        .then((data) => {
          if (asked === text) offer(data.results);
        })
        .catch(() => {});
    }

    box.addEventListener("input", () => {
      hidden.value = pickedId();
      clearTimeout(timer);
      timer = setTimeout(ask, WAIT_MS);
    });
    // Runs before the change bubbles to a form that submits on change (htmx).
    box.addEventListener("change", () => {
      hidden.value = pickedId();
    });
    box.addEventListener("focus", ask, { once: true });
  }

  function attachAll() {
    document.querySelectorAll("input[data-search-select]").forEach(attach);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", attachAll);
  else attachAll();
})();
