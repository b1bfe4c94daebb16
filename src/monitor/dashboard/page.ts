/**
 * The /ops page: self-contained HTML + script (chart.js from /ops/chart.js).
 * All figures are written with textContent — statement texts come from the
 * database and must never be interpreted as HTML.
 */
export const DASHBOARD_HTML = /* html */ `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Bill-Inquiry operations</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  :root { --ok:#1a7f37; --warn:#b7791f; --bad:#c62828; --ink:#1f2933; --mute:#6b7785; --card:#fff; }
  * { box-sizing: border-box; }
  body { margin:0; font:14px/1.4 system-ui, sans-serif; background:#eef1f5; color:var(--ink); }
  header { display:flex; justify-content:space-between; align-items:center; padding:12px 20px; background:#17324d; color:#fff; }
  header h1 { font-size:18px; margin:0; } header span { font-size:12px; opacity:.8; }
  main { display:grid; grid-template-columns:repeat(4, 1fr); gap:12px; padding:12px 20px; }
  .card { background:var(--card); border-radius:8px; padding:12px 14px; box-shadow:0 1px 2px rgba(0,0,0,.08); min-width:0; }
  .card h2 { font-size:12px; text-transform:uppercase; letter-spacing:.04em; color:var(--mute); margin:0 0 6px; }
  .big { font-size:26px; font-weight:600; } .small { font-size:12px; color:var(--mute); }
  .wide { grid-column:span 2; } .full { grid-column:1 / -1; }
  .ok { color:var(--ok); } .warn { color:var(--warn); } .bad { color:var(--bad); }
  table { width:100%; border-collapse:collapse; font-size:12px; table-layout:fixed; }
  th, td { text-align:left; padding:3px 6px; border-bottom:1px solid #e3e7ec; overflow:hidden; text-overflow:ellipsis; white-space:nowrap; }
  td.num, th.num { text-align:right; width:90px; }
  #members td.num, #members th.num { width:60px; }
  canvas { width:100% !important; height:170px !important; }
  ul#alerts { margin:0; padding-left:18px; } ul#alerts li { margin:2px 0; }
</style></head>
<body>
<header><h1>Bill-Inquiry — operations</h1><span id="updated">loading…</span></header>
<main>
  <section class="card"><h2>Members</h2><table id="members"><thead><tr><th>member</th><th class="num">port</th><th>role</th><th>state</th></tr></thead><tbody></tbody></table></section>
  <section class="card"><h2>Connections vs limit</h2><div class="big"><span id="conn-used">–</span> / <span id="conn-max">–</span></div><div class="small" id="conn-note"></div></section>
  <section class="card"><h2>Replication</h2><div class="big" id="repl-lag">–</div><div class="small" id="repl-note"></div></section>
  <section class="card"><h2>Backup</h2><div class="big" id="backup">–</div><div class="small" id="backup-note"></div></section>
  <section class="card"><h2>KOS breaker</h2><div class="big" id="breaker">–</div><div class="small">circuit breaker of the upstream</div></section>
  <section class="card"><h2>Cache hit ratio</h2><div class="big" id="cache-hit">–</div><div class="small" id="cache-note"></div></section>
  <section class="card wide"><h2>Firing alerts</h2><ul id="alerts"></ul></section>
  <section class="card wide"><h2>Requests per second and p99 (ms)</h2><canvas id="chart-requests"></canvas></section>
  <section class="card wide"><h2>Connections and replication lag</h2><canvas id="chart-db"></canvas></section>
  <section class="card wide"><h2>Slowest statements (pg_stat_statements)</h2><table id="statements"><thead><tr><th>statement</th><th class="num">calls</th><th class="num">mean ms</th><th class="num">total ms</th></tr></thead><tbody></tbody></table></section>
  <section class="card wide"><h2>Largest tables</h2><table id="tables"><thead><tr><th>table</th><th class="num">size</th><th class="num">rows</th></tr></thead><tbody></tbody></table></section>
</main>
<script src="/ops/chart.js"></script>
<script>
(() => {
  const $ = (id) => document.getElementById(id);
  const set = (id, text, cls) => { const el = $(id); el.textContent = text; if (cls !== undefined) el.className = (el.className.replace(/\\b(ok|warn|bad)\\b/g, '') + ' ' + cls).trim(); };
  const bytes = (n) => { const u = ['B','kB','MB','GB','TB']; let i = 0; while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; } return n.toFixed(i ? 1 : 0) + ' ' + u[i]; };
  const rows = (tableId, data, cells) => {
    const body = $(tableId).tBodies[0]; body.replaceChildren();
    for (const d of data) { const tr = body.insertRow(); cells(d).forEach(([text, num]) => { const td = tr.insertCell(); td.textContent = text; td.title = text; if (num) td.className = 'num'; }); }
  };
  const line = (id, datasets) => new Chart($(id), { type: 'line', data: { labels: [], datasets: datasets.map(([label, color, axis]) => ({ label, borderColor: color, backgroundColor: color, yAxisID: axis, data: [], pointRadius: 0, tension: .2 })) },
    options: { animation: false, responsive: true, maintainAspectRatio: false, scales: { x: { ticks: { maxTicksLimit: 6 } }, y: { beginAtZero: true, position: 'left' }, y2: { beginAtZero: true, position: 'right', grid: { drawOnChartArea: false } } } } });
  const charts = {
    requests: line('chart-requests', [['req/s (1-min avg)', '#2563eb', 'y'], ['p99 ms (last min)', '#dc2626', 'y2']]),
    db: line('chart-db', [['connections', '#059669', 'y'], ['max_connections', '#94a3b8', 'y'], ['replication lag s', '#d97706', 'y2']]),
  };
  const feed = (chart, labels, series) => { chart.data.labels = labels; series.forEach((s, i) => (chart.data.datasets[i].data = s)); chart.update(); };

  function render(d) {
    const s = d.snapshot, p = s.primary && s.primary.db;
    set('updated', 'updated ' + new Date(s.at).toLocaleTimeString());
    rows('members', s.members, (m) => [[m.name], [String(m.port), 1], [m.role], [m.up ? 'up' : 'DOWN']]);
    [...$('members').tBodies[0].rows].forEach((r, i) => (r.cells[3].className = s.members[i].up ? 'ok' : 'bad'));
    const connAlert = d.alerts.find((a) => a.name === 'connectionsPercent');
    if (p) { set('conn-used', String(p.connections.used), connAlert && connAlert.firing ? 'bad' : 'ok'); set('conn-max', String(p.connections.max)); }
    set('conn-note', connAlert ? connAlert.detail : '');
    const lag = p ? Math.max(0, ...p.replicas.map((r) => r.lag_seconds)) : 0;
    const missing = s.expectedReplicas - s.streamingReplicas;
    set('repl-lag', missing > 0 ? missing + ' not streaming' : lag.toFixed(1) + ' s', missing > 0 ? 'bad' : 'ok');
    set('repl-note', s.streamingReplicas + ' of ' + s.expectedReplicas + ' replicas streaming');
    const b = s.backup;
    const first = b.firstBackup && b.ageHours === undefined;
    set('backup', b.unavailable ? 'cannot run' : first ? 'first backup running' : !b.configured ? 'not configured' : b.ageHours === undefined ? 'none yet' : b.ageHours.toFixed(1) + ' h ago', b.unavailable ? 'bad' : first || !b.configured ? 'warn' : b.ageHours === undefined ? 'bad' : 'ok');
    set('backup-note', b.unavailable ? b.unavailable.reason + ' — fix: ' + b.unavailable.fix : first ? b.firstBackup.step : b.lastSuccessAt ? 'last success ' + b.lastSuccessAt : (b.error || ''));
    set('breaker', s.service ? s.service.breaker : 'n/a', s.service ? (/^open$/i.test(s.service.breaker) ? 'bad' : /^closed$/i.test(s.service.breaker) ? 'ok' : 'warn') : 'warn');
    const dbHit = p && p.databases.find((x) => x.datname === d.database);
    const svcHit = s.service && s.service.cache.hitRatio;
    set('cache-hit', svcHit != null ? svcHit.toFixed(1) + ' %' : dbHit && dbHit.cache_hit_ratio != null ? dbHit.cache_hit_ratio.toFixed(1) + ' %' : '–');
    set('cache-note', (svcHit != null ? 'bill cache; ' : '') + (dbHit && dbHit.cache_hit_ratio != null ? 'PostgreSQL buffers ' + dbHit.cache_hit_ratio.toFixed(2) + ' % (' + d.database + ')' : ''));
    const firing = d.alerts.filter((a) => a.firing);
    const ul = $('alerts'); ul.replaceChildren();
    if (!firing.length) { const li = document.createElement('li'); li.textContent = 'none'; li.className = 'ok'; ul.append(li); }
    for (const a of firing) { const li = document.createElement('li'); li.className = a.severity === 1 ? 'bad' : 'warn'; li.textContent = 'S' + a.severity + ' ' + a.title + ': ' + a.detail + ' — ' + a.action; ul.append(li); }
    rows('statements', (p && p.slowStatements) || [], (q) => [[q.query], [String(q.calls), 1], [q.mean_ms.toFixed(1), 1], [q.total_ms.toFixed(0), 1]]);
    rows('tables', (p && p.tables) || [], (t) => [[t.schemaname + '.' + t.tablename], [bytes(t.size_bytes), 1], [String(t.live_tuples), 1]]);
    const labels = d.history.map((h) => new Date(h.t).toLocaleTimeString());
    feed(charts.requests, labels, [d.history.map((h) => h.requestRatePerS ?? null), d.history.map((h) => h.p99Ms ?? null)]);
    feed(charts.db, labels, [d.history.map((h) => h.connections ?? null), d.history.map((h) => h.maxConnections ?? null), d.history.map((h) => h.replicationLagS ?? null)]);
    document.body.dataset.loaded = 'true';
  }
  async function refresh() {
    try { const r = await fetch('/ops/data', { credentials: 'same-origin' }); if (r.ok) render(await r.json()); else set('updated', 'error ' + r.status, 'bad'); }
    catch (e) { set('updated', 'unreachable: ' + e.message, 'bad'); }
  }
  refresh(); setInterval(refresh, 5000);
})();
</script></body></html>`;
