/**
 * The page's whole style, inline: one small page needs no asset pipeline. Colours carry the state
 * (green in sync, amber pending, orange conflict, red error, grey kept), and so does the badge's
 * text, so the page also reads without colour.
 */
export const STATUS_PAGE_STYLE = `
:root { color-scheme: light; --ink: #1f2328; --muted: #656d76; --line: #d0d7de; --bg: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--ink); background: #fff; }
header { padding: 16px 24px 8px; border-bottom: 1px solid var(--line); background: var(--bg); }
h1 { margin: 0 0 8px; font-size: 20px; }
h1 span { color: var(--muted); font-weight: 400; }
h2 { margin: 0 0 8px; font-size: 16px; }
h2 small { color: var(--muted); font-weight: 400; margin-left: 8px; }
main { padding: 8px 24px 24px; }
a { color: #0969da; }
code { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, monospace; font-size: 12.5px; }
.meta { color: var(--muted); margin: 6px 0 4px; }
.summary { margin: 0; }
.summary .badge { margin-right: 4px; }
.summary .badge.zero { opacity: .45; }
.tenant { margin-top: 20px; }
table { border-collapse: collapse; width: 100%; }
th { text-align: left; font-weight: 600; color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .03em; }
th, td { padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
tbody tr:hover { background: var(--bg); }
td.message { max-width: 48em; }
td.last-sync, td.source, td.target { white-space: nowrap; }
td.last-sync small, .none { color: var(--muted); }
.trace-id { font-size: 11px; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; white-space: nowrap; border: 1px solid transparent; }
.badge.in-sync { background: #dafbe1; color: #116329; border-color: #4ac26b; }
.badge.pending { background: #fff8c5; color: #7d4e00; border-color: #d4a72c; }
.badge.conflict { background: #fff1e5; color: #953800; border-color: #fb8f44; }
.badge.error { background: #ffebe9; color: #a40e26; border-color: #ff8182; }
.badge.kept { background: #eaeef2; color: #424a53; border-color: #afb8c1; }
.tag { display: inline-block; padding: 0 6px; border-radius: 4px; background: #eaeef2; color: #424a53; font-size: 11px; }
.config { margin: 0 0 10px; padding: 8px 12px; border-radius: 6px; }
.config.ok { background: #dafbe1; color: #116329; padding: 4px 12px; display: inline-block; }
.config.unknown { background: var(--bg); color: var(--muted); padding: 4px 12px; display: inline-block; }
.config.refused { background: #ffebe9; color: #82071e; border: 1px solid #ff8182; }
.config.refused ul { margin: 6px 0 0; padding-left: 20px; }
.config.warned { background: #fff8c5; color: #6b4b00; border: 1px solid #d4a72c; }
.config.warned ul { margin: 6px 0 0; padding-left: 20px; }
.config .line { color: var(--muted); }
.empty { color: var(--muted); }
`;
