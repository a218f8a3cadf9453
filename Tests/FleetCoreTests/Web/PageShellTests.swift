import FleetCore
import XCTest

final class PageShellTests: XCTestCase {
    let page = PageShell.render(
        title: "agent-runner · <b>p</b>", subtitle: #"log dir "/tmp/x'"#, generatedAt: 1_796_281_092.9,
        scripts: ["/progress.js", #"/a"b.js"#], body: "<section id=\"body\">kept as given</section>")

    func testTheDocumentHead() {
        XCTAssertTrue(page.hasPrefix("<!doctype html>\n"), page)
        XCTAssertTrue(page.contains(#"<meta charset="utf-8">"#))
        XCTAssertTrue(page.contains(#"<meta name="viewport" content="width=device-width, initial-scale=1">"#))
        XCTAssertTrue(page.contains("<title>agent-runner · &lt;b&gt;p&lt;/b&gt;</title>"), page)
        XCTAssertTrue(page.contains(#"<link rel="stylesheet" href="/style.css">"#))
        XCTAssertTrue(page.contains(#"<script src="/progress.js" defer></script>"#))
        XCTAssertTrue(page.contains(#"<script src="/a&quot;b.js" defer></script>"#))
    }

    func testTheHeaderEscapesTitleAndSubtitle() {
        XCTAssertTrue(page.contains("<h1>agent-runner · &lt;b&gt;p&lt;/b&gt;</h1>"), page)
        XCTAssertTrue(page.contains("log dir &quot;/tmp/x&#39;"), page)
        XCTAssertFalse(page.contains("<b>"), page)
        XCTAssertTrue(
            page.contains(#"<time id="generated" datetime="2026-12-03T06:58:12Z">generated 06:58:12 UTC</time>"#), page)
    }

    func testTheBodyGoesInMainUnchanged() {
        XCTAssertTrue(page.contains("<main>\n<section id=\"body\">kept as given</section>\n</main>"), page)
        XCTAssertTrue(page.hasSuffix("</body>\n</html>\n"))
    }

    /// The Content-Security-Policy refuses inline script and style: the shell holds neither.
    func testNothingInline() {
        XCTAssertFalse(page.contains("<style"))
        XCTAssertFalse(page.contains("style="))
        XCTAssertFalse(page.contains("http-equiv"))
        XCTAssertEqual(page.components(separatedBy: "<script").count - 1, 2)
        XCTAssertEqual(page.components(separatedBy: "<script src=").count - 1, 2)
    }

    func testAnUnusableClockReadsMissing() {
        let shell = PageShell.render(title: "t", subtitle: "", generatedAt: .nan, scripts: [], body: "")
        XCTAssertTrue(shell.contains(#"<time id="generated">generated –</time>"#), shell)
        XCTAssertFalse(shell.contains("<script"))
    }
}
