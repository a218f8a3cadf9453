import TestSupport
import XCTest

@testable import FleetCore

/// The corpus of secret shapes the redactor masks, each embedded in generated hostile text, at
/// the edges of a cut, and inside the JSON values the event log writes.
final class SecretRedactorTests: XCTestCase {
    /// (text holding a secret, the secret part that must not survive).
    static let corpus: [(String, String)] = [
        ("Authorization: Bearer abcdefghijklmnop", "abcdefghijklmnop"),
        ("proxy-authorization: Basic dXNlcjpwYXNzd29yZA==", "dXNlcjpwYXNzd29yZA"),
        ("curl -H 'bearer ZYXWVUTSRQPONM12'", "ZYXWVUTSRQPONM12"),
        ("export ANTHROPIC_API_KEY=sk-ant-api03-abcdefghijkl", "api03-abcdefghijkl"),
        ("OPENAI sk-proj-Q1w2E3r4T5y6U7i8", "Q1w2E3r4T5y6U7i8"),
        ("https://user:hunter2hunter@example.com/repo.git", "hunter2hunter"),
        ("token ghp_abcdefghijklmnopqrstuvwx123", "abcdefghijklmnopqrstuvwx123"),
        ("gho_ABCDEFGHIJKLMNOP1234 and ghs_QRSTUVWXYZ0123456789", "QRSTUVWXYZ0123456789"),
        ("github_pat_11ABCDEFG0123456789_abcdefghijklmnop", "11ABCDEFG0123456789"),
        ("slack xoxb-1234567890-abcdefghij", "1234567890-abcdefghij"),
        ("slack app xapp-1-A0123456789-abcdef", "A0123456789-abcdef"),
        ("jwt eyJhbGciOi.eyJzdWIiOiIx.SflKxwRJSMeKKF2QT4fw", "SflKxwRJSMeKKF2QT4fw"),
        ("aws AKIAIOSFODNN7EXAMPLE", "IOSFODNN7EXAMPLE"),
        ("aws temporary ASIAY34FZKBOKMUTVV7A", "Y34FZKBOKMUTVV7A"),
        ("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "wJalrXUtnFEMI"),
        ("AWS_SESSION_TOKEN=FwoGZXIvYXdzEJr//////////wEaDNOTREAL", "FwoGZXIvYXdzEJr"),
        ("google AIzaSyA0123456789abcdefghijklmnopqrs", "SyA0123456789abcdefghijklmnopqrs"),
        ("oauth ya29.a0AfH6SMBabcdefghijklmnopq", "a0AfH6SMBabcdefghijklmnopq"),
        ("stripe sk_live_51H8abcdefghijklmnop", "51H8abcdefghijklmnop"),
        ("stripe rk_live_51H8restrictedKEY0123", "51H8restrictedKEY0123"),
        ("stripe test sk_test_4eC39HqLyjWDarjtT1zdp7dc", "4eC39HqLyjWDarjtT1zdp7dc"),
        ("webhook whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
        ("gitlab glpat-xXxXxXxXxXxXxXxXxXxX", "xXxXxXxXxXxXxXxXxXxX"),
        ("npm npm_abcdefghijklmnopqrstuvwxyz0123456789", "abcdefghijklmnopqrstuvwxyz0123456789"),
        ("hugging face hf_abcdefghijklmnopqrstuvwxyzABCDEFGH", "abcdefghijklmnopqrstuvwxyzABCDEFGH"),
        ("sendgrid SG.abcdefghijklmnopqrstuv.ABCDEFGHIJKLMNOPQRSTUVWXYZ", "ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
        ("{\"password\": \"correct horse battery\"}", "correct horse battery"),
        ("{\"db_password\":\"s3cr\\\"et value\", \"user\": \"bob\"}", "s3cr\\\"et value"),
        ("{\"apiKey\": \"k-123-456-789\"}", "k-123-456-789"),
        ("mysql --password hunter22 -u root", "hunter22"),
        ("mysql --password=hunter33 -u root", "hunter33"),
        ("tool --api-key 'quoted secret here'", "quoted secret here"),
        ("password=\"correct horse\"", "correct horse"),
        ("db_password: 'hunter22x'", "hunter22x"),
        ("DJANGO_SECRET_KEY=django-insecure-abcdef", "django-insecure-abcdef"),
        (
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\nq83hfk2\n-----END RSA PRIVATE KEY-----",
            "MIIEpAIBAAKCAQEA"
        ),
        (
            "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----",
            "b3BlbnNzaC1rZXktdjEAAAAA"
        ),
        ("-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0B (cut off here", "MIIEvQIBADANBgkqhkiG9w0B"),
    ]

    func testEveryShapeIsMasked() {
        for (text, secret) in Self.corpus {
            let redacted = SecretRedactor.redact(text)
            XCTAssertTrue(redacted.contains(SecretRedactor.mask), "\(text) -> \(redacted)")
            XCTAssertFalse(redacted.contains(secret), "\(text) -> \(redacted)")
            XCTAssertTrue(SecretRedactor.mayHoldSecret(text), "the prefilter lets \(text) through to the rules")
        }
        XCTAssertEqual(SecretRedactor.redact("Error: something unknown broke"), "Error: something unknown broke")
        XCTAssertEqual(
            SecretRedactor.redact("Implemented the parser; all 42 tests pass."),
            "Implemented the parser; all 42 tests pass.")
    }

    /// Each shape inside generated hostile text (combining marks, controls, bidi, quotes around
    /// it) is still masked.
    func testShapesInsideGeneratedTextAreMasked() {
        let generator = HostileText()
        for _ in 0..<400 {
            let (text, secret) = Self.corpus[generator.random.below(Self.corpus.count)]
            let noisy = generator.string(maxPieces: 6) + " " + text + "\n" + generator.string(maxPieces: 6)
            let redacted = SecretRedactor.redact(noisy)
            XCTAssertFalse(
                redacted.contains(secret),
                "\(noisy.debugDescription) -> \(redacted.debugDescription); \(generator.random.replayHint)")
        }
    }

    /// Redact, then cut: wherever the cut falls in or around a secret, no 8-byte piece of it
    /// survives, keeping the head or the tail.
    func testASecretSpanningTheCutNeverSurvivesInPart() {
        let generator = HostileText()
        for (text, secret) in Self.corpus {
            let padding = String(repeating: "log line\n", count: 30)
            let whole = padding + text + "\n" + padding
            let secretStart = Array(whole.utf8).count - padding.utf8.count - 1 - text.utf8.count
            for _ in 0..<6 {
                let cut = secretStart + generator.random.below(text.utf8.count + 1)
                let head = SecretRedactor.redact(whole, clippedTo: cut, keeping: .head)
                let tail = SecretRedactor.redact(whole, clippedTo: whole.utf8.count - cut, keeping: .tail)
                for piece in Self.pieces(of: secret, length: 8) {
                    XCTAssertFalse(head.contains(piece), "head cut at \(cut) of \(text): \(head)")
                    XCTAssertFalse(tail.contains(piece), "tail cut at \(cut) of \(text): \(tail)")
                }
            }
        }
    }

    /// The tail of a transcript read from the middle of a PEM key: the body without its BEGIN
    /// line is masked up to its END line.
    func testAKeyWhoseBeginWasCutOffIsMasked() {
        let tail = "fk2Jd8sK2l0aPq9ZZ\nMIIEpAIBAAKCAQEAq83\n-----END RSA PRIVATE KEY-----\nagent exited 1"
        let redacted = SecretRedactor.redact(tail)
        XCTAssertEqual(redacted, SecretRedactor.mask + "\nagent exited 1")
    }

    /// Every string in a JSON value, however nested, is redacted; keys and other values stay.
    func testJSONValuesAreRedactedWhole() {
        let value: JSONValue = [
            "target": "curl -H 'Authorization: Bearer abcdefghijklmnop' https://x", "count": 3,
            "nested": ["list": ["ok", "ghp_abcdefghijklmnopqrstuvwx123"]],
        ]
        let text = JSONWriter().string(SecretRedactor.redact(value))
        XCTAssertFalse(text.contains("abcdefghijklmnop"), text)
        XCTAssertTrue(text.contains("\"count\": 3") && text.contains("\"ok\""), text)
    }

    static func pieces(of secret: String, length: Int) -> [String] {
        let bytes = Array(secret.utf8)
        guard bytes.count >= length else { return [secret] }
        return (0...(bytes.count - length)).map { String(decoding: bytes[$0..<($0 + length)], as: UTF8.self) }
    }
}
