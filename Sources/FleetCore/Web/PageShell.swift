/// The frame every page shares: document head, header bar, `<main>`.
///
/// Nothing inline: the stylesheet is `/style.css` (``PageStyle``) and each script is its own
/// path, loaded `defer`, because the Content-Security-Policy of ``HTTPServerResponse`` refuses
/// inline script and style. A page that wants live updates ships a script that fetches JSON and
/// updates the DOM; it never reloads itself.
public enum PageShell {
    /// The whole document.
    /// - Parameters:
    ///   - title: the page's name (escaped here), in `<title>` and the header.
    ///   - subtitle: one line under it (escaped here).
    ///   - generatedAt: Unix seconds the data was read; the header shows `generated HH:MM:SS UTC`
    ///     in `<time id=generated>`, which a live script updates after each fetch.
    ///   - scripts: script paths (`/progress.js`), escaped into `src` attributes.
    ///   - body: the page's content, already HTML: its builder escapes every value it holds.
    public static func render(
        title: String, subtitle: String, generatedAt: Double, scripts: [String], body: String
    )
        -> String
    {
        let title = HTML.escape(title)
        var html = """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(title)</title>
            <link rel="stylesheet" href="/style.css">

            """
        for script in scripts { html += "<script src=\"\(HTML.escape(script))\" defer></script>\n" }
        html += """
            </head>
            <body>
            <header class="page">
            <h1>\(title)</h1>
            <span class="subtitle">\(HTML.escape(subtitle))</span>
            \(generatedElement(generatedAt))
            </header>
            <main>
            \(body)
            </main>
            </body>
            </html>

            """
        return html
    }

    /// `<time id="generated" datetime="2026-12-03T06:58:12Z">generated 06:58:12 UTC</time>`.
    static func generatedElement(_ epochSeconds: Double) -> String {
        guard epochSeconds.isFinite, abs(epochSeconds) < 1e15 else {
            return "<time id=\"generated\">generated \(HumanText.missing)</time>"
        }
        let instant = UTCInstant(seconds: Int64(epochSeconds.rounded(.down)))
        let stamp = EventTimestamp.format(instant)
        let iso = String(stamp.prefix(19)) + "Z"
        let clock = String(stamp.dropFirst(11).prefix(8))
        return "<time id=\"generated\" datetime=\"\(iso)\">generated \(clock) UTC</time>"
    }
}
