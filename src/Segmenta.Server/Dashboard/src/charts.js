// Charts (Chart.js, bundled): every chart is a canvas with a text summary for screen readers and its
// numbers in a table under a disclosure, so nothing is only visible as pixels.
import {
  Chart, BarController, BarElement, LineController, LineElement, PointElement, ScatterController,
  CategoryScale, LinearScale, Legend, Tooltip, Filler,
} from 'chart.js';
import { el, table } from './ui.js';

Chart.register(BarController, BarElement, LineController, LineElement, PointElement, ScatterController, CategoryScale, LinearScale, Legend, Tooltip, Filler);
Chart.defaults.animation = false;
Chart.defaults.responsive = true;
Chart.defaults.maintainAspectRatio = false;
Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
Chart.defaults.color = '#334e68';

export const palette = ['#2f6fde', '#e8772e', '#2a9d6f', '#c2417a', '#7b5cd6', '#b8912a', '#3aa2b8', '#d64545', '#5c7080', '#8fb339'];

const live = new Set();

/** Destroys the charts of the previous view (a view change replaces the whole page). */
export function disposeCharts() {
  for (const chart of live) chart.destroy();
  live.clear();
}

/**
 * A chart in a figure: config is a Chart.js configuration; summary is read by screen readers; data is
 * {columns, rows} for the table behind "Show the numbers".
 */
export function chart(config, { summary, data, height = 280, id } = {}) {
  const canvas = el('canvas', { role: 'img', 'aria-label': summary });
  const figure = el('figure', { class: 'chart', id },
    el('div', { class: 'chart-box', style: `height: ${height}px` }, canvas),
    el('figcaption', { class: 'sr-only' }, summary),
    data ? el('details', {}, el('summary', {}, 'Show the numbers'), table(data.columns, data.rows)) : null);
  canvas.__config = config;
  return figure;
}

/** Draws the charts under root whose figures are in the page now (views build their content before attaching it). */
export function mountCharts(root) {
  for (const canvas of root.querySelectorAll('canvas')) {
    if (!Chart.getChart(canvas) && canvas.isConnected && canvas.__config) live.add(new Chart(canvas, canvas.__config));
  }
}
