import XCTest

@testable import AgentRunnerCore

final class NetworkErrorTextTests: XCTestCase {
    func testErrnosTheOriginalMissed() {
        for (text, matched) in [
            ("Error: read ECONNRESET", "ECONNRESET"), ("connect ETIMEDOUT 160.79.104.10:443", "ETIMEDOUT"),
            ("getaddrinfo ENOTFOUND api.anthropic.com", "ENOTFOUND"),
            ("getaddrinfo EAI_AGAIN api.openai.com", "EAI_AGAIN"),
            ("connect ECONNREFUSED 127.0.0.1:9", "ECONNREFUSED"), ("TypeError: fetch failed", "fetch failed"),
            ("Error: socket hang up", "socket hang up"),
            ("curl: (6) Could not resolve host: x", "Could not resolve host"),
            ("Temporary failure in name resolution", "Temporary failure in name resolution"),
        ] {
            XCTAssertEqual(NetworkErrorText.match(text)?.classification, .networkError, text)
            XCTAssertEqual(NetworkErrorText.match(text)?.matched, matched, text)
        }
    }

    func testTheErrnoWinsOverTheGenericPhraseAboveIt() {
        let text = "API Error: Connection error.\nError: read ECONNRESET\n    at TLSWrap.onStreamRead"
        XCTAssertEqual(NetworkErrorText.match(text)?.matched, "ECONNRESET")
    }

    func testTimeouts() {
        XCTAssertEqual(NetworkErrorText.match("Request timed out.")?.classification, .apiTimeout)
        XCTAssertEqual(NetworkErrorText.match("Request timed out.")?.matched, "Request timed out")
        XCTAssertEqual(NetworkErrorText.match("408 Request Timeout")?.matched, "Timeout")
        XCTAssertEqual(NetworkErrorText.match("connect timed out")?.classification, .networkError)
    }

    func testProseIsNotANetworkFailure() {
        for text in ["updated the DNS docs", "dns", "APIProviderTimeoutError", "reconnection logic", "ECONNRESETS", ""]
        {
            XCTAssertNil(NetworkErrorText.match(text), text)
        }
    }
}
