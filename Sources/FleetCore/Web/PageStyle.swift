/// The one stylesheet of both pages (`/style.css` of `fleetctl watch --http` and of
/// `agent-runner monitor --mode http`), so the fleet dashboard and a host's page read as one
/// product.
///
/// Served as its own path because the Content-Security-Policy refuses inline style. No web
/// fonts, no `@import`, no external URL: the pages work on a host with no route to the internet.
/// Long log lines wrap instead of widening the page (`pre`, `.log`): a transcript line of 10 000
/// characters must not push the tables off a 1280 px screen.
public enum PageStyle {
    public static let css = """
        :root {
          --fg: #1d232b; --muted: #5f6b7a; --bg: #f5f6f8; --panel: #ffffff; --line: #d9dde3; --zebra: #f8f9fb;
          --head: #1f2a37; --head-fg: #f3f5f8;
          --ok: #1a7f37; --ok-bg: #e6f4ea; --warn: #9a6700; --warn-bg: #fff4d6; --bad: #c62828; --bad-bg: #fdecea;
          --info: #0b5cad; --info-bg: #e7f0fb; --muted-bg: #eef0f3;
          --mono: ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, Consolas, monospace;
        }
        * { box-sizing: border-box; }
        html { -webkit-text-size-adjust: 100%; }
        body {
          margin: 0; background: var(--bg); color: var(--fg); line-height: 1.45; font-size: 15px;
          font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif;
        }
        header.page {
          display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 16px; padding: 12px 24px;
          background: var(--head); color: var(--head-fg);
        }
        header.page h1 { margin: 0; font-size: 20px; font-weight: 600; overflow-wrap: anywhere; }
        header.page .subtitle { color: #c3cad4; overflow-wrap: anywhere; }
        header.page time { margin-left: auto; color: #c3cad4; font-size: 13px; white-space: nowrap; }
        main { max-width: 1440px; margin: 0 auto; padding: 16px 24px 32px; }
        section { margin: 0 0 20px; }
        h2 { font-size: 16px; font-weight: 600; margin: 0 0 8px; }
        a { color: var(--info); }
        nav.crumbs { font-size: 13px; color: var(--muted); margin: 0 0 12px; }
        nav.crumbs a { text-decoration: none; }
        nav.crumbs a + a::before, nav.crumbs span + a::before { content: "/"; padding: 0 6px; color: var(--muted); }
        .muted { color: var(--muted); }
        .mono, code, kbd { font-family: var(--mono); font-size: 0.92em; }

        .cards {
          display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); align-items: start; gap: 12px;
        }
        .card {
          background: var(--panel); border: 1px solid var(--line); border-left: 4px solid var(--line);
          border-radius: 6px; padding: 10px 12px; min-width: 0;
        }
        .card .value { display: block; font-size: 20px; font-weight: 600; overflow-wrap: anywhere; }
        .card .label {
          display: block; font-size: 12px; color: var(--muted); text-transform: uppercase; letter-spacing: 0.04em;
        }
        .card .detail { display: block; font-size: 13px; color: var(--muted); }
        .card.state-ok { border-left-color: var(--ok); }
        .card.state-warn { border-left-color: var(--warn); }
        .card.state-bad { border-left-color: var(--bad); }
        .card.state-info { border-left-color: var(--info); }
        .card.state-muted { border-left-color: var(--line); }

        .narrative {
          background: var(--panel); border: 1px solid var(--line); border-left: 6px solid var(--info);
          border-radius: 6px; padding: 12px 16px; font-size: 16px;
        }
        .narrative .text { white-space: pre-wrap; overflow-wrap: anywhere; margin: 0; }

        .banner, .stale {
          border-radius: 6px; padding: 10px 14px; margin: 0 0 16px; font-weight: 600; overflow-wrap: anywhere;
          border: 1px solid var(--line); background: var(--muted-bg);
        }
        .banner.state-ok { background: var(--ok-bg); border-color: var(--ok); color: var(--ok); }
        .banner.state-warn { background: var(--warn-bg); border-color: var(--warn); color: var(--warn); }
        .banner.state-bad { background: var(--bad-bg); border-color: var(--bad); color: var(--bad); }
        .banner.state-info { background: var(--info-bg); border-color: var(--info); color: var(--info); }
        .stale { background: var(--warn-bg); border-color: var(--warn); color: var(--warn); }
        [hidden] { display: none !important; }

        .badge, .chip {
          display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600;
          background: var(--muted-bg); color: var(--muted); white-space: nowrap;
        }
        .chip { border-radius: 4px; font-weight: 400; }
        .badge.state-ok, .chip.state-ok { background: var(--ok-bg); color: var(--ok); }
        .badge.state-warn, .chip.state-warn { background: var(--warn-bg); color: var(--warn); }
        .badge.state-bad, .chip.state-bad { background: var(--bad-bg); color: var(--bad); }
        .badge.state-info, .chip.state-info { background: var(--info-bg); color: var(--info); }
        .badge.state-muted, .chip.state-muted { background: var(--muted-bg); color: var(--muted); }
        .state-ok > .value { color: var(--ok); }
        .state-warn > .value { color: var(--warn); }
        .state-bad > .value { color: var(--bad); }

        .table-wrap { overflow-x: auto; background: var(--panel); border: 1px solid var(--line); border-radius: 6px; }
        table { width: 100%; border-collapse: collapse; font-size: 14px; }
        th, td { text-align: left; vertical-align: top; padding: 6px 10px; border-bottom: 1px solid var(--line); }
        td { overflow-wrap: anywhere; }
        th {
          position: sticky; top: 0; z-index: 1; background: #eceff3; font-size: 12px; font-weight: 600;
          text-transform: uppercase; letter-spacing: 0.04em; color: var(--muted); white-space: nowrap;
        }
        tbody tr:nth-child(even) { background: var(--zebra); }
        tr.state-ok > td:first-child { box-shadow: inset 4px 0 var(--ok); }
        tr.state-warn { background: var(--warn-bg) !important; }
        tr.state-warn > td:first-child { box-shadow: inset 4px 0 var(--warn); }
        tr.state-bad { background: var(--bad-bg) !important; }
        tr.state-bad > td:first-child { box-shadow: inset 4px 0 var(--bad); }
        tr.state-info > td:first-child { box-shadow: inset 4px 0 var(--info); }
        tr.state-muted { color: var(--muted); }
        td.nowrap, th.nowrap { white-space: nowrap; }
        th[aria-sort] { cursor: pointer; user-select: none; }
        th[aria-sort]::after { content: " \\2195"; opacity: 0.4; }
        th[aria-sort="ascending"]::after { content: " \\25B2"; opacity: 1; }
        th[aria-sort="descending"]::after { content: " \\25BC"; opacity: 1; }
        table.hosts td:first-child { font-weight: 600; }
        .pairs { list-style: none; margin: 0; padding: 0; }
        .pairs li { display: inline; margin-right: 12px; overflow-wrap: anywhere; }
        .pairs .key { color: var(--muted); white-space: nowrap; }
        .pairs .value { font-family: var(--mono); font-size: 0.92em; white-space: pre-wrap; }
        .digest { font-family: var(--mono); font-size: 0.92em; border-bottom: 1px dotted var(--muted); cursor: help; }

        input.filter {
          font: inherit; padding: 6px 10px; margin: 0 0 10px; width: 100%; max-width: 420px;
          border: 1px solid var(--line); border-radius: 6px; background: var(--panel); color: var(--fg);
        }

        pre, .log {
          font-family: var(--mono); font-size: 13px; line-height: 1.4; margin: 0;
          white-space: pre-wrap; overflow-wrap: anywhere; word-break: normal;
        }
        .log {
          background: #14181d; color: #e3e7ec; border-radius: 6px; padding: 10px 12px;
          max-height: 60vh; overflow-y: auto;
        }

        .chart { display: block; width: 100%; height: auto; max-height: 220px; }
        .chart .bar-ok { fill: var(--ok); }
        .chart .bar-warn { fill: #d4a017; }
        .chart .bar-bad { fill: var(--bad); }
        .chart .axis, .chart text { fill: var(--muted); font-size: 11px; }

        @media (max-width: 700px) {
          body { font-size: 14px; }
          header.page { padding: 10px 12px; }
          header.page time { margin-left: 0; }
          main { padding: 12px; }
          .cards { grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 8px; }
          .card .value { font-size: 18px; }
          th, td { padding: 5px 6px; }
          .hide-narrow { display: none; }
          table.events thead { display: none; }
          table.events, table.events tbody, table.events tr { display: block; width: 100%; }
          table.events tr { padding: 6px 0; border-bottom: 1px solid var(--line); }
          table.events td { display: block; border: none; padding: 2px 8px; }
          table.events td.nowrap { display: inline-block; }
        }
        @media print {
          body { background: #fff; font-size: 12px; }
          header.page { background: #fff; color: #000; border-bottom: 2px solid #000; }
          header.page .subtitle, header.page time { color: #333; }
          .stale, input.filter { display: none !important; }
          th { position: static; }
          .log { background: #fff; color: #000; border: 1px solid #999; max-height: none; overflow: visible; }
          .table-wrap { overflow: visible; border: none; }
          tr, .card { break-inside: avoid; }
        }

        """
}
