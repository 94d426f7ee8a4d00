// Draws the per-day table of the usage page as a chart: billed minutes as bars, cost as a line.
// The table stays the record; without scripts, or without Chart.js, the page is the same less
// the chart.
(function () {
  'use strict';
  var table = document.getElementById('usage-days');
  var canvas = document.getElementById('usage-chart');
  if (!table || !canvas || typeof window.Chart === 'undefined') return;
  var days = [], minutes = [], cost = [];
  Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
    days.push(row.cells[0].textContent);
    minutes.push(Number(row.cells[2].textContent));
    cost.push(Number(row.cells[3].textContent));
  });
  canvas.parentNode.hidden = false;
  new window.Chart(canvas, {
    data: {
      labels: days,
      datasets: [
        { type: 'bar', label: 'Minutes', data: minutes, yAxisID: 'minutes', backgroundColor: '#1f5fbf' },
        { type: 'line', label: 'Cost', data: cost, yAxisID: 'cost', borderColor: '#9a4b00', backgroundColor: '#9a4b00' }
      ]
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      scales: {
        minutes: { type: 'linear', position: 'left', beginAtZero: true, title: { display: true, text: 'Minutes' } },
        cost: { type: 'linear', position: 'right', beginAtZero: true, grid: { drawOnChartArea: false }, title: { display: true, text: 'Cost' } }
      }
    }
  });
  document.documentElement.setAttribute('data-usage-chart', 'drawn');
})();
