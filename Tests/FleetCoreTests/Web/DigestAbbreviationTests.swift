import FleetCore
import XCTest

final class DigestAbbreviationTests: XCTestCase {
    let head = "7a98f40b93be10c09260a0ef4114ba4e03d4c32e"
    let digest = "369f708561f25725e95cee052f7c4feec7c4513dd4b3c8061e73fbc5fbe4c8d8"

    func testShortensGitHeadsAndDigests() {
        XCTAssertEqual(
            DigestAbbreviation.pieces("head \(head), config sha256:\(digest)."),
            [
                .text("head "), .digest(full: head, short: "7a98f40b93be…"), .text(", config "),
                .digest(full: "sha256:" + digest, short: "sha256:369f708561f2…"), .text("."),
            ])
        XCTAssertEqual(
            DigestAbbreviation.pieces("config_digest=\(digest)"),
            [.text("config_digest="), .digest(full: digest, short: "369f708561f2…")])
    }

    func testLeavesOtherWordsAlone() {
        for text in [
            "", "deadbeef", "1234567890123456789", "abcdefabcdefabcdef", "\(head)x", "x\(head)", "_\(head)",
            "é\(head)", "0x\(head)", "550e8400-e29b-41d4-a716-446655440000", "round 12 of 2026-12-03",
        ] {
            XCTAssertEqual(DigestAbbreviation.pieces(text), text.isEmpty ? [] : [.text(text)], text)
        }
    }

    func testOnlyAShortWordBeforeTheColonIsAPrefix() {
        XCTAssertEqual(
            DigestAbbreviation.pieces("averylongword:\(head)"),
            [.text("averylongword:"), .digest(full: head, short: "7a98f40b93be…")])
        XCTAssertEqual(
            DigestAbbreviation.pieces(":\(head)"), [.text(":"), .digest(full: head, short: "7a98f40b93be…")])
        XCTAssertEqual(
            DigestAbbreviation.pieces("9x:\(head)"), [.text("9x:"), .digest(full: head, short: "7a98f40b93be…")])
        XCTAssertEqual(
            DigestAbbreviation.pieces("md5:\(head)"), [.digest(full: "md5:" + head, short: "md5:7a98f40b93be…")])
    }

    func testHTMLEscapesTheTextAndKeepsTheFullValueInTheTitle() {
        XCTAssertEqual(
            DigestAbbreviation.html("<b>\(head)</b>"),
            "&lt;b&gt;<span class=\"digest\" title=\"\(head)\">7a98f40b93be…</span>&lt;/b&gt;")
        XCTAssertEqual(DigestAbbreviation.html(#"<script>"'&"#), "&lt;script&gt;&quot;&#39;&amp;")
    }
}
