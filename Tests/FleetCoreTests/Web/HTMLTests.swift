import FleetCore
import XCTest

final class HTMLTests: XCTestCase {
    func testEscapesTheFiveSpecialCharacters() {
        XCTAssertEqual(
            HTML.escape(#"<a href="x" title='y'>&amp;</a>"#),
            "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;")
    }

    func testHostileStringsLoseEveryMarkupCharacter() {
        let hostile = [
            "<script>alert(1)</script>", #"<img src=x onerror="document.title='pwned'">"#,
            #"" onmouseover="alert(1)"#, "' autofocus onfocus='alert(1)", "</textarea><svg onload=alert(1)>",
            "<!-- -->", "<![CDATA[x]]>",
        ]
        for text in hostile {
            let escaped = HTML.escape(text)
            for character in ["<", ">", "\"", "'"] {
                XCTAssertFalse(escaped.contains(character), "\(character) left in \(escaped)")
            }
        }
    }

    /// A quote followed by a combining mark is one Swift Character but still a quote to a browser.
    func testEscapesByScalarNotByCharacter() {
        XCTAssertEqual(HTML.escape("\"\u{301}<\u{338}"), "&quot;\u{301}&lt;\u{338}")
    }

    func testLeavesOtherTextAlone() {
        XCTAssertEqual(HTML.escape(""), "")
        XCTAssertEqual(HTML.escape("plain – text ü 日本 🙂 \u{FFFD}\n\t"), "plain – text ü 日本 🙂 \u{FFFD}\n\t")
    }
}
