import TestSupport
import XCTest

@testable import FleetCore

/// The byte scan before the redaction regexes never lets a secret through: any text a rule
/// would change passes the scan (recorded secrets, and random mixes of their pieces).
final class SecretRedactorPrefilterTests: XCTestCase {
    let secrets =
        [
            "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----",
            "Authorization: Bearer abcdefgh12345678",
            "proxy-authorization=token xyz", "bearer ABCDEFGHIJKLMNOP", "https://user:pa55@example.com/x",
            "ANTHROPIC_API_KEY=sk-ant-abcdefgh", "db_password: 'hunter22'", "SESSION=abc", "x-credential:zzz",
            "eyJhbGciOi.eyJzdWIiOi.SflKxwRJSM", "sk-abcdefghijk", "ghp_0123456789abcdefABCD",
            "github_pat_0123456789abcdefghijXY",
            "xoxb-0123456789-abc", "AKIA0123456789ABCDEF", "AIzaSyA0123456789abcdefghijklmnopqrs",
        ] + SecretRedactorTests.corpus.map(\.0)

    func testEverySecretPassesTheScan() {
        for secret in secrets {
            XCTAssertNotEqual(SecretRedactor.applyRules(secret), secret, "the rules must mask \(secret)")
            XCTAssertTrue(SecretRedactor.mayHoldSecret("Result: " + secret + " done"), secret)
        }
        XCTAssertFalse(SecretRedactor.mayHoldSecret("done"), "an ok round's result skips the regexes")
        XCTAssertFalse(SecretRedactor.mayHoldSecret("Implemented the parser; all 42 tests pass."))
        // Secret names in ordinary text (paths, prose) skip the regexes: an ok round's events
        // keep the regex engine unmapped on small hosts.
        for ordinary in [
            "/home/pi/keyboard-app/prompts/main.md", "session ended after 3 rounds", "the token budget is spent",
            "claude-opus-5", "secret-santa", "monkey business",
        ] {
            XCTAssertFalse(SecretRedactor.mayHoldSecret(ordinary), ordinary)
        }
    }

    func testRandomMixesNeverSlipThrough() {
        let random = SeededRandom.fromEnvironment()
        let pieces =
            secrets.flatMap { $0.split(separator: " ").map(String.init) }
            + [
                "done", "the", "A", "=", ":", "/", "@", "-", "--", "_", ".", "x9", "\n", "KEY", "Tok", "eN", "\"", "'",
                "\u{A0}", "\u{2028}", "password", "Session", "token", "keyboard", "secret", "-x", "\t", "é",
            ]
        let separators = [" ", "", "\"", "=", ":", "-", "\u{A0}"]
        for _ in 0..<6000 {
            let text = (0..<(1 + random.below(6))).map { _ in pieces[random.below(pieces.count)] }.joined(
                separator: separators[random.below(separators.count)])
            if SecretRedactor.applyRules(text) != text {
                XCTAssertTrue(
                    SecretRedactor.mayHoldSecret(text),
                    "\(text) would be masked but skips the scan; \(random.replayHint)")
            }
        }
    }
}
