// Draws every <canvas data-chart="id"> from the JSON in <script id="id"> (see reports/charts.py).
(function () {
  "use strict";
  const lang = document.documentElement.lang || "zh-hans";
  const locale = lang.toLowerCase().startsWith("zh") ? "zh-CN" : "en";
  const compactMoney = new Intl.NumberFormat(locale, {
    style: "currency", currency: "CNY", notation: "compact", maximumFractionDigits: 1,
  });
  const fullMoney = new Intl.NumberFormat(locale, { style: "currency", currency: "CNY" });
  const number = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
  const percent = new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1 });
  const palette = ["#0d6efd", "#20c997", "#fd7e14", "#6f42c1", "#dc3545", "#198754", "#6c757d"];

  function formatter(kind, compact) {
    if (kind === "money") return (v) => (compact ? compactMoney : fullMoney).format(v);
    if (kind === "percent") return (v) => percent.format(v);
    return (v) => number.format(v);
  }

  function draw(canvas) {
    const spec = JSON.parse(document.getElementById(canvas.dataset.chart).textContent);
    const short = formatter(spec.valueKind, true);
    const long = formatter(spec.valueKind, false);
    const round = spec.type === "doughnut";
    const datasets = spec.datasets.map((d, i) => ({
      label: d.label,
      data: d.data.map((v) => (v === null ? null : Number(v))),
      backgroundColor: round ? palette : palette[i % palette.length],
      borderColor: round ? "#fff" : palette[i % palette.length],
      tension: 0.25,
    }));
    const valueAxis = { ticks: { callback: (v) => short(v) }, beginAtZero: true };
    new window.Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets: datasets },
      options: {
        maintainAspectRatio: false,
        indexAxis: spec.horizontal ? "y" : "x",
        scales: round ? {} : spec.horizontal ? { x: valueAxis } : { y: valueAxis },
        plugins: {
          legend: { display: datasets.length > 1 || round, position: "bottom" },
          tooltip: { callbacks: { label: (c) => `${c.dataset.label || c.label}: ${long(c.raw)}` } },
        },
        onClick: (event, elements) => {
          const link = elements.length ? spec.links[elements[0].index] : null;
          if (link) window.location.href = link;
        },
        onHover: (event, elements) => {
          const link = elements.length && spec.links[elements[0].index];
          event.native.target.style.cursor = link ? "pointer" : "default";
        },
      },
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    if (!window.Chart) return;
    document.querySelectorAll("canvas[data-chart]").forEach(draw);
  });
})();
