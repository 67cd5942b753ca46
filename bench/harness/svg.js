'use strict';
// The SVG report, written by hand (no dependencies): one self-contained file that any
// browser shows. For a connection sweep, throughput vs connections and p99 vs connections
// (log scales, one line per server, legend); for every other load scenario a horizontal bar
// chart of the median rate per server. Colours follow the server, the same in every chart.

const W = 980;
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif"';
const PALETTE = ['#1f2937', '#6b7280', '#d97706', '#2563eb', '#0891b2', '#7c3aed', '#059669', '#dc2626', '#db2777', '#65a30d'];

function esc(s) {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function short(x) {
  if (x >= 1e6) return `${+(x / 1e6).toFixed(x >= 1e7 ? 0 : 1)}M`;
  if (x >= 1e3) return `${+(x / 1e3).toFixed(x >= 1e4 ? 0 : 1)}k`;
  return `${+x.toFixed(x >= 10 ? 0 : 1)}`;
}

function text(x, y, s, attrs = '') {
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${attrs}>${esc(s)}</text>`;
}

/** Round numbers for a linear axis from 0 to >= max: about `n` ticks. */
function linearTicks(max, n = 5) {
  if (!(max > 0)) return [0, 1];
  const raw = max / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw);
  const ticks = [];
  for (let v = 0; v <= max + step * 1e-9; v += step) ticks.push(v);
  if (ticks[ticks.length - 1] < max) ticks.push(ticks[ticks.length - 1] + step);
  return ticks;
}

/**
 * Ticks for a log axis covering [min, max]: the powers of ten inside, ends rounded to 1, 2
 * or 5 x 10^k so a decade of empty plot is never added for a value just past a power.
 */
function logTicks(min, max, steps = [2, 5]) {
  const nice = (v, up) => {
    const e = Math.floor(Math.log10(v));
    const cands = [10 ** e, ...steps.map((m) => m * 10 ** e), 10 ** (e + 1)];
    return up ? cands.find((c) => c >= v * (1 - 1e-9)) : cands.filter((c) => c <= v * (1 + 1e-9)).pop();
  };
  const lo = nice(min, false);
  let hi = nice(max, true);
  if (hi <= lo) hi = lo * 10;
  const ticks = [lo];
  for (let p = 10 ** Math.ceil(Math.log10(lo) + 1e-9); p < hi; p *= 10) if (p > lo * 1.0001) ticks.push(p);
  ticks.push(hi);
  return ticks;
}

function colourFor(servers) {
  const map = new Map();
  servers.forEach((s, i) => map.set(s, PALETTE[i % PALETTE.length]));
  return map;
}

/**
 * A line chart: x = connections (log), y = metric (linear from 0, or log for latency).
 * `series` is [{ name, points: [[x, y], ...] }]. Returns { svg, height }.
 */
function lineChart(top, title, yLabel, series, colours, { logY = false } = {}) {
  const height = 360;
  const m = { l: 86, r: 230, t: 44, b: 56 };
  const pw = W - m.l - m.r;
  const ph = height - m.t - m.b;
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = series.flatMap((s) => s.points.map((p) => p[1])).filter((v) => v > 0);
  const out = [`<g transform="translate(0,${top})">`, text(20, 26, title, 'font-size="16" font-weight="600"')];
  if (xs.length === 0 || ys.length === 0) {
    out.push(text(m.l, m.t + 20, 'no data', 'font-size="13" fill="#6b7280"'), '</g>');
    return { svg: out.join('\n'), height: 80 };
  }
  const xt = logTicks(Math.min(...xs), Math.max(...xs), []);
  const x0 = Math.log10(xt[0]);
  const x1 = Math.log10(xt[xt.length - 1]);
  const X = (v) => m.l + ((Math.log10(v) - x0) / (x1 - x0 || 1)) * pw;
  let yt;
  let Y;
  if (logY) {
    yt = logTicks(Math.min(...ys), Math.max(...ys));
    const y0 = Math.log10(yt[0]);
    const y1 = Math.log10(yt[yt.length - 1]);
    Y = (v) => m.t + ph - ((Math.log10(Math.max(v, yt[0])) - y0) / (y1 - y0 || 1)) * ph;
  } else {
    yt = linearTicks(Math.max(...ys));
    Y = (v) => m.t + ph - (v / yt[yt.length - 1]) * ph;
  }
  out.push(`<rect x="${m.l}" y="${m.t}" width="${pw}" height="${ph}" fill="#fff" stroke="#d1d5db"/>`);
  for (const [i, v] of yt.entries()) {
    const y = Y(v);
    out.push(`<line x1="${m.l}" x2="${m.l + pw}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" stroke="#e5e7eb"/>`);
    // A rounded end of a log axis close to a power of ten keeps its grid line, not its label.
    const crowded = logY && (i === 0 || i === yt.length - 1) && yt.length > 2 && Math.abs(y - Y(yt[i === 0 ? 1 : i - 1])) < 22;
    if (!crowded) out.push(text(m.l - 8, y + 4, short(v), 'font-size="12" text-anchor="end" fill="#374151"'));
  }
  for (const v of xt) {
    const x = X(v);
    out.push(`<line x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="${m.t}" y2="${m.t + ph}" stroke="#e5e7eb"/>`);
    out.push(text(x, m.t + ph + 18, v.toLocaleString('en-US'), 'font-size="12" text-anchor="middle" fill="#374151"'));
  }
  out.push(text(m.l + pw / 2, m.t + ph + 42, 'connections (log scale)', 'font-size="13" text-anchor="middle" fill="#111827"'));
  out.push(text(22, m.t + ph / 2, yLabel, `font-size="13" text-anchor="middle" fill="#111827" transform="rotate(-90 22 ${(m.t + ph / 2).toFixed(1)})"`));
  series.forEach((s, i) => {
    const c = colours.get(s.name);
    const pts = s.points.filter((p) => p[1] > 0).sort((a, b) => a[0] - b[0]);
    if (pts.length > 1) {
      out.push(`<polyline fill="none" stroke="${c}" stroke-width="2.2" points="${pts.map((p) => `${X(p[0]).toFixed(1)},${Y(p[1]).toFixed(1)}`).join(' ')}"/>`);
    }
    for (const p of pts)
      out.push(
        `<circle cx="${X(p[0]).toFixed(1)}" cy="${Y(p[1]).toFixed(1)}" r="3.5" fill="${c}"><title>${esc(`${s.name}: ${short(p[1])} at ${p[0]} connections`)}</title></circle>`,
      );
    // Legend, right of the plot.
    const ly = m.t + 8 + i * 20;
    out.push(`<line x1="${m.l + pw + 16}" x2="${m.l + pw + 40}" y1="${ly}" y2="${ly}" stroke="${c}" stroke-width="3"/>`);
    out.push(text(m.l + pw + 46, ly + 4, s.name, 'font-size="12" fill="#111827"'));
  });
  out.push('</g>');
  return { svg: out.join('\n'), height };
}

/** A horizontal bar chart of one value per server. `rows` is [{ name, value, note }]. */
function barChart(top, title, unit, rows, colours) {
  const bar = 20;
  const gap = 6;
  const m = { l: 190, r: 170, t: 44, b: 44 };
  const pw = W - m.l - m.r;
  const ph = rows.length * (bar + gap);
  const height = m.t + ph + m.b;
  const max = Math.max(0, ...rows.map((r) => r.value || 0));
  const ticks = linearTicks(max);
  const X = (v) => m.l + (v / ticks[ticks.length - 1]) * pw;
  const out = [`<g transform="translate(0,${top})">`, text(20, 26, title, 'font-size="16" font-weight="600"')];
  for (const v of ticks) {
    const x = X(v);
    out.push(`<line x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="${m.t - 4}" y2="${m.t + ph}" stroke="#e5e7eb"/>`);
    out.push(text(x, m.t + ph + 16, short(v), 'font-size="12" text-anchor="middle" fill="#374151"'));
  }
  out.push(text(m.l + pw / 2, m.t + ph + 36, unit, 'font-size="13" text-anchor="middle" fill="#111827"'));
  rows.forEach((r, i) => {
    const y = m.t + i * (bar + gap);
    out.push(text(m.l - 10, y + bar / 2 + 4, r.name, 'font-size="13" text-anchor="end" fill="#111827"'));
    if (r.value === null) {
      out.push(text(m.l + 6, y + bar / 2 + 4, r.note || 'no result', 'font-size="12" fill="#9ca3af"'));
      return;
    }
    const w = Math.max(1, X(r.value) - m.l);
    out.push(
      `<rect x="${m.l}" y="${y}" width="${w.toFixed(1)}" height="${bar}" fill="${colours.get(r.name)}" rx="2"><title>${esc(`${r.name}: ${Math.round(r.value).toLocaleString('en-US')} ${unit}`)}</title></rect>`,
    );
    out.push(text(m.l + w + 6, y + bar / 2 + 4, Math.round(r.value).toLocaleString('en-US') + (r.note ? `  ${r.note}` : ''), 'font-size="12" fill="#374151"'));
  });
  out.push('</g>');
  return { svg: out.join('\n'), height };
}

const median = (s, key) => (s && s[key] && typeof s[key].median === 'number' ? s[key].median : null);

/** The whole report as an SVG document (a string). `report` is what run.js writes as JSON. */
function renderSvg(report) {
  const scenarios = report.scenarios.filter((sc) => sc.params.kind === 'load');
  const servers = [];
  for (const sc of scenarios) for (const n of Object.keys(sc.summary)) if (!servers.includes(n)) servers.push(n);
  const colours = colourFor(servers);
  const parts = [];
  let y;
  const m = report.machine || {};
  parts.push(text(20, 30, 'ioreactor echo benchmark', 'font-size="22" font-weight="700"'));
  parts.push(
    text(
      20,
      52,
      `${report.started || ''}  ·  ${m.cpuModel || ''}${m.cores ? `, ${m.cores} cores` : ''}${m.kernel ? `, Linux ${m.kernel}` : ''}${m.node ? `, Node ${m.node}` : ''}`,
      'font-size="12" fill="#4b5563"',
    ),
  );
  parts.push(text(20, 68, 'medians over rounds; server pinned to CPU 0, load generator to CPU 1; loopback TCP', 'font-size="12" fill="#4b5563"'));
  y = 84;

  // Sweep groups: one pair of line charts per group.
  const groups = new Map();
  for (const sc of scenarios) if (sc.params.group) (groups.get(sc.params.group) || groups.set(sc.params.group, []).get(sc.params.group)).push(sc);
  for (const [group, list] of groups) {
    const seriesOf = (key) =>
      servers
        .map((name) => ({
          name,
          points: list.map((sc) => [sc.params.connections, median(sc.summary[name], key)]).filter((p) => p[1] !== null && !sc2unavailable(list, name)),
        }))
        .filter((s) => s.points.length > 0);
    const size = list[0].params.size;
    const a = lineChart(y, `${group}: ping-pong throughput vs connections (${size} B, 1 in flight)`, 'messages per second', seriesOf('msgs_per_sec'), colours);
    parts.push(a.svg);
    y += a.height;
    const b = lineChart(y, `${group}: p99 latency vs connections`, 'p99 latency, µs (log scale)', seriesOf('p99_us'), colours, { logY: true });
    parts.push(b.svg);
    y += b.height;
  }

  for (const sc of scenarios.filter((s) => !s.params.group)) {
    const churn = !!sc.params.churn;
    const bulk = !churn && sc.params.size >= 4096;
    const rows = Object.entries(sc.summary).map(([name, s]) => {
      if (s.unavailable) return { name, value: null, note: 'unavailable' };
      if (!s.roundsOk) return { name, value: null, note: 'failed' };
      const rate = median(s, 'msgs_per_sec');
      const mb = median(s, 'mb_per_sec');
      const bad = s.errors.max || s.connect_failures.max ? '(errors!)' : '';
      // Large messages: bandwidth is the point, so the bars are MB/s.
      if (bulk) return { name, value: mb, note: `(${rate === null ? '-' : Math.round(rate).toLocaleString('en-US')} msgs/s) ${bad}`.trim() };
      return { name, value: rate, note: bad };
    });
    const title = `${sc.params.name}: ${String(sc.params.title).replace(/^[^:]*:\s*/, '')}`;
    const c = barChart(
      y,
      title,
      churn
        ? 'connections per second (connect, one echo, close)'
        : sc.params.fanout
          ? 'deliveries per second (message x connection)'
          : bulk
            ? sc.params.stream
              ? 'MB/s received (server streams, client discards)'
              : 'MB/s of echoed payload'
            : 'messages per second',
      rows,
      colours,
    );
    parts.push(c.svg);
    y += c.height + 8;
  }
  const height = Math.ceil(y + 16);
  return `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" ${FONT}>
<rect width="100%" height="100%" fill="#f9fafb"/>
${parts.join('\n')}
</svg>
`;
}

function sc2unavailable(list, name) {
  return list.every((sc) => !sc.summary[name] || sc.summary[name].unavailable);
}

module.exports = { renderSvg };
