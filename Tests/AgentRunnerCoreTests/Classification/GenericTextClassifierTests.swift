import XCTest

@testable import AgentRunnerCore

final class GenericTextClassifierTests: XCTestCase {
    let now = AgentOutputFixtures.now

    func analyze(_ text: String, exitCode: Int32 = 1) -> TranscriptAnalysis {
        GenericTextClassifier().analyze(RoundTranscript(text: text), exit: AgentOutputFixtures.exit(exitCode), now: now)
    }

    func testStatusCodesAndPhrasesInTheLastLines() {
        XCTAssertEqual(
            analyze("working\nError: 429 Too Many Requests, try again in 30s\n").transient?.resetAtEpoch, now + 30)
        XCTAssertEqual(analyze("HTTP 503 from upstream\n").bucket, .serverError)
        XCTAssertEqual(analyze("API error (status 401): invalid x-api-key\n").bucket, .auth)
        XCTAssertEqual(
            analyze("Error: read ECONNRESET\n    at TLSWrap.onStreamRead (node:internal/stream_base)\n").networkMatch,
            "ECONNRESET")
        XCTAssertEqual(analyze("request timed out after 600s\n").transient?.classification, .apiTimeout)
        XCTAssertEqual(analyze("model is overloaded\nexiting\n").bucket, .serverError)
        XCTAssertEqual(analyze("we are being rate-limited by the provider\n").bucket, .rateLimit)
    }

    func testTheNewestLineDecides() {
        XCTAssertEqual(analyze("HTTP 503\nstill failing: rate limit exceeded\n").bucket, .rateLimit)
    }

    func testACleanExitOrProseIsNoVerdict() {
        XCTAssertNil(
            analyze("Error: 429 Too Many Requests\n", exitCode: 0).bucket, "an unknown CLI that exited 0 succeeded")
        XCTAssertNil(analyze("processed 429 files\nupdated the dns docs\nfailed\n").bucket)
        XCTAssertNil(analyze("v1503 failed\n").bucket)
        let old = "Error: 429 Too Many Requests\n" + String(repeating: "traceback line\n", count: 30)
        XCTAssertNil(analyze(old).bucket, "only the last \(GenericTextClassifier.tailLines) lines")
    }
}
