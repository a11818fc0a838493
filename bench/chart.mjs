// Hand-written SVG for bench/chat-bench.mjs results: latency percentiles (ours, bare socket.io,
// the storing reference) and each ratio against its target (the table's rows with a `chart`
// label: the ratio a target is checked against). No dependencies.
const esc = (s) =>
  String(s).replace(
    /[&<>"]/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c],
  );
const num = (x) =>
  x == null ? '-' : x >= 100 ? String(Math.round(x)) : String(Number(x.toFixed(2)));

export function renderSvg(result) {
  const row = (metric) => result.table.find((r) => r.metric.startsWith(metric));
  const ratios = result.table.filter((r) => r.chart);
  const W = 960;
  const H = Math.max(560, 90 + ratios.length * 44 + 150);
  const out = [];
  const text = (x, y, s, attrs = '') =>
    out.push(`<text x="${x}" y="${y}" ${attrs}>${esc(s)}</text>`);
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
  );
  const m = result.machine;
  const o = result.options;
  text(
    20,
    26,
    `nest-chat vs bare socket.io and the storing reference: ${result.database}, ${o.clients} clients, median of ${o.runs} run(s)`,
    'font-size="16" font-weight="bold"',
  );
  text(
    20,
    46,
    `${m.cpu}, ${m.cores} cores, ${m.memoryGB} GB, node ${m.node}; ${o.loadProcesses} load processes on the same machine; ${result.date.slice(0, 16).replace('T', ' ')} UTC`,
    'fill="#555"',
  );

  // Left: latency percentiles.
  const lat = [
    ['group p50', row('group latency p50')],
    ['group p99', row('group latency p99')],
    ['private p50', row('private latency p50')],
    ['private p99', row('private latency p99')],
  ];
  const px = 60,
    py = 90,
    pw = 380,
    ph = 380;
  text(
    px,
    py - 14,
    `latency (ms, log scale); group ${o.groupRate}/s, private ${o.privateRate}/s`,
    'font-weight="bold"',
  );
  // Log scale: group latencies are hundreds of milliseconds, private ones a fraction of one.
  const floorMs = 0.1;
  const series = [
    ['ours', '#2563eb', 'ours'],
    ['reference', '#9ca3af', 'bare socket.io'],
    ['storing', '#f59e0b', 'storing reference'],
  ];
  const maxLat = Math.max(1, ...lat.flatMap(([, r]) => series.map(([k]) => r?.[k] ?? 0)));
  const decades = Math.ceil(Math.log10(maxLat / floorMs));
  const scale = (v) => (Math.max(0, Math.log10(Math.max(v, floorMs) / floorMs)) / decades) * ph;
  out.push(`<line x1="${px}" y1="${py + ph}" x2="${px + pw}" y2="${py + ph}" stroke="#333"/>`);
  for (let t = 0; t <= decades; t++) {
    const v = floorMs * 10 ** t;
    const y = py + ph - scale(v);
    out.push(`<line x1="${px}" y1="${y}" x2="${px + pw}" y2="${y}" stroke="#eee"/>`);
    text(px - 6, y + 4, num(v), 'text-anchor="end" fill="#555"');
  }
  const slot = pw / lat.length;
  lat.forEach(([label, r], i) => {
    const x0 = px + i * slot + 8;
    const bw = (slot - 16) / series.length;
    for (const [s, [k, colour]] of series.entries()) {
      const dx = s * bw;
      const v = r?.[k] ?? 0;
      const h = scale(v);
      out.push(
        `<rect x="${x0 + dx}" y="${py + ph - h}" width="${bw - 2}" height="${h}" fill="${colour}"/>`,
      );
      text(
        x0 + dx + bw / 2 - 1,
        py + ph - h - 4,
        num(r?.[k]),
        'text-anchor="middle" font-size="10"',
      );
    }
    text(x0 + (bw * series.length) / 2, py + ph + 16, label, 'text-anchor="middle"');
  });
  let lx = px;
  for (const [, colour, name] of series) {
    out.push(`<rect x="${lx}" y="${py + ph + 30}" width="12" height="12" fill="${colour}"/>`);
    text(lx + 18, py + ph + 40, name);
    lx += 30 + name.length * 7;
  }

  // Right: ratios against targets.
  const rx = 660,
    ry = 90,
    rw = 260,
    rh = 44;
  text(rx - 150, ry - 14, 'ratios (bar) against targets (black tick)', 'font-weight="bold"');
  const maxR = Math.max(2.5, ...ratios.map((r) => Math.min(r.checked ?? 0, 10)));
  const rs = (v) => (Math.min(v, maxR) / maxR) * rw;
  ratios.forEach((r, i) => {
    const y = ry + i * rh + 10;
    const { checked: v, target, dir, passed: pass } = r;
    text(rx - 8, y + 13, `${r.chart} (vs ${r.against})`, 'text-anchor="end"');
    out.push(`<rect x="${rx}" y="${y}" width="${rw}" height="18" fill="#f3f4f6"/>`);
    if (v != null)
      out.push(
        `<rect x="${rx}" y="${y}" width="${rs(v)}" height="18" fill="${pass ? '#16a34a' : '#dc2626'}"/>`,
      );
    out.push(
      `<line x1="${rx + rs(target)}" y1="${y - 4}" x2="${rx + rs(target)}" y2="${y + 22}" stroke="#000" stroke-width="2"/>`,
    );
    text(rx + rs(target) + 3, y - 5, `${dir === 'le' ? '≤' : '≥'} ${target}`, 'font-size="10"');
    text(
      rx + Math.min(rs(v ?? 0), rw - 40) + 4,
      y + 13,
      `${num(v)}${v > maxR ? ' →' : ''}`,
      'font-size="11" font-weight="bold"',
    );
  });
  out.push(
    `<line x1="${rx + rs(1)}" y1="${ry}" x2="${rx + rs(1)}" y2="${ry + ratios.length * rh}" stroke="#999" stroke-dasharray="3,3"/>`,
  );
  text(
    rx + rs(1),
    ry + ratios.length * rh + 14,
    '1.0',
    'text-anchor="middle" fill="#555" font-size="10"',
  );

  // Below the ratios: the absolute checks.
  const idle = row('idle authenticated');
  const losses = row('lost/misrouted');
  const lists = row('join: clients holding');
  const capacity = row('private capacity');
  const groupCapacity = row('group capacity');
  let y = ry + ratios.length * rh + 44;
  for (const [s, ok] of [
    [
      `idle connections held: ours ${num(idle?.ours)}, bare ${num(idle?.reference)} (target ≥ ${num(idle?.target)})`,
      idle?.passed,
    ],
    ...(capacity
      ? [
          [
            `private capacity (msg/s): ours ${num(capacity.ours)}, bare ${num(capacity.reference)}, storing ${num(capacity.storing)}`,
            capacity.passed,
          ],
          [
            `group capacity (msg/s to ${o.clients}): ours ${num(groupCapacity?.ours)}, bare ${num(groupCapacity?.reference)}, storing ${num(groupCapacity?.storing)}`,
            null,
          ],
        ]
      : []),
    [`clients with the complete online list: ${num(lists?.ours)} of ${o.clients}`, lists?.passed],
    [
      `lost / duplicated / misrouted / refused: ours ${num(losses?.ours)}, bare ${num(losses?.reference)}, storing ${num(losses?.storing)}`,
      losses?.passed,
    ],
  ]) {
    const colour = ok == null ? '#374151' : ok ? '#166534' : '#b91c1c';
    text(rx - 150, y, `${ok == null ? '·' : ok ? '✔' : '✘'} ${s}`, `fill="${colour}"`);
    y += 20;
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}

// `node bench/chart.mjs bench/results/<date>.json` draws that result again (after a change here).
if (import.meta.url === `file://${process.argv[1]}`) {
  const { readFileSync, writeFileSync } = await import('node:fs');
  const file = process.argv[2];
  writeFileSync(file.replace(/\.json$/, '.svg'), renderSvg(JSON.parse(readFileSync(file, 'utf8'))));
}
