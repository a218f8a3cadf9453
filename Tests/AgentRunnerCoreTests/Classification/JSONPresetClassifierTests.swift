import XCTest

@testable import AgentRunnerCore

/// gemini, codewhale, kimi and pi beyond the recorded samples.
final class JSONPresetClassifierTests: XCTestCase {
    let now = AgentOutputFixtures.now

    func analyze(_ classifier: any TranscriptClassifier, _ lines: [String], exitCode: Int32 = 1) -> TranscriptAnalysis {
        classifier.analyze(
            RoundTranscript(text: lines.joined(separator: "\n")), exit: AgentOutputFixtures.exit(exitCode), now: now)
    }

    func testGemini() {
        let gemini = GeminiStreamClassifier()
        let retryHint = analyze(
            gemini,
            [
                #"{"type":"result","status":"error","error":{"type":"ApiError","#
                    + #""message":"Quota exceeded. Please retry in 37.480429957s.","code":429}}"#
            ])
        XCTAssertEqual(retryHint.transient?.resetAtEpoch, now + 38)
        let forbidden = analyze(
            gemini, [#"{"type":"result","status":"error","error":{"message":"denied","code":403}}"#])
        XCTAssertEqual(forbidden.authFailure, "denied")
        let network = analyze(
            gemini, [#"{"type":"result","status":"error","error":{"message":"fetch failed: read ECONNRESET"}}"#])
        XCTAssertEqual(network.networkMatch, "ECONNRESET")
        let died = analyze(
            gemini,
            [
                #"{"type":"init","model":"gemini-2.5-pro"}"#,
                #"{"type":"error","severity":"warning","message":"Attempt 2 failed with status 503. Retrying"}"#,
            ])
        XCTAssertEqual(died.transient?.classification, .apiTransient5xx, "killed while retrying: no result record")
        let recovered = analyze(
            gemini,
            [
                #"{"type":"error","severity":"warning","message":"Attempt 1 failed with status 429."}"#,
                #"{"type":"message","role":"assistant","content":"ok"}"#,
                #"{"type":"result","status":"success","stats":{"input":5}}"#,
            ], exitCode: 0)
        XCTAssertNil(recovered.transient)
        XCTAssertEqual(recovered.usage?.inputTokens, 5)
    }

    func testCodewhale() {
        let codewhale = CodewhaleStreamClassifier()
        let nullCounts = analyze(
            codewhale,
            [
                #"{"type":"error","error":"busy","code":503}"#,
                #"{"type":"metadata","meta":{"model":"deepseek-v4","input_tokens":null}}"#,
            ])
        XCTAssertEqual(nullCounts.transient?.classification, .apiTransient5xx, "a null count does not lose the verdict")
        XCTAssertEqual(nullCounts.usage?.inputTokens, 0)
        let recovered = analyze(
            codewhale,
            [
                #"{"type":"error","error":"busy","code":503}"#,
                #"{"type":"message","role":"assistant","content":"retried fine"}"#,
            ], exitCode: 0)
        XCTAssertNil(recovered.transient)
        let symbolic = analyze(codewhale, [#"{"type":"error","error":"socket hang up","code":"connection_error"}"#])
        XCTAssertEqual(symbolic.transient?.classification, .networkError)
        XCTAssertEqual(symbolic.networkMatch, "socket hang up")
    }

    func testKimi() {
        let kimi = KimiStreamClassifier()
        let retrying =
            #"{"role":"meta","type":"turn.step.retrying","status_code":529,"error_message":"529 overloaded"}"#
        XCTAssertEqual(
            analyze(kimi, [retrying], exitCode: -15).transient?.classification, .apiTransient5xx,
            "killed while retrying")
        XCTAssertNil(
            analyze(kimi, [retrying, #"{"role":"assistant","content":[{"type":"text","text":"ok"}]}"#]).transient,
            "kimi recovered")
        let network = analyze(
            kimi, ["error: failed to run prompt: provider.connection_error: connect ECONNREFUSED 1.2.3.4:443"])
        XCTAssertEqual(network.networkMatch, "ECONNREFUSED")
        let unknownKind = analyze(
            kimi, ["\u{1B}[31merror: failed to run prompt: provider.bad_gateway: 502 Bad Gateway\u{1B}[0m"])
        XCTAssertEqual(unknownKind.transient?.classification, .apiTransient5xx)
        let earlier = analyze(
            kimi,
            [
                "error: failed to run prompt: provider.rate_limit: 429 slow down",
                #"{"role":"assistant","content":[{"type":"text","text":"carried on"}]}"#,
            ], exitCode: 0)
        XCTAssertNil(earlier.transient, "an error line followed by progress did not end the run")
        let notProvider = analyze(kimi, ["error: unknown model kimi-k9"])
        XCTAssertTrue(notProvider.reportedError)
        XCTAssertNil(notProvider.bucket)
    }

    func testPi() {
        let pi = PiStreamClassifier()
        func failed(_ message: String) -> String {
            #"{"type":"agent_end","messages":[{"role":"assistant","content":[],"stopReason":"error","#
                + #""errorMessage":"\#(message)"}]}"#
        }
        XCTAssertEqual(analyze(pi, [failed("403 Forbidden")], exitCode: 0).bucket, .auth, "403 too, not only 401")
        XCTAssertEqual(
            analyze(pi, [failed("fetch failed: getaddrinfo ENOTFOUND api.moonshot.ai")], exitCode: 0).networkMatch,
            "ENOTFOUND")
        let update =
            #"{"type":"message_update","message":{"role":"assistant","stopReason":"error","errorMessage":"429"}}"#
        let ok = #"{"type":"agent_end","messages":[{"role":"assistant","content":[],"stopReason":"stop"}]}"#
        XCTAssertNil(analyze(pi, [update, ok], exitCode: 0).transient, "message_update deltas carry stale state")
        let killed =
            #"{"type":"message_end","message":{"role":"assistant","stopReason":"error","errorMessage":"529 busy"}}"#
        XCTAssertEqual(analyze(pi, [killed], exitCode: -15).bucket, .serverError, "no agent_end: message_end decides")
    }

    func testPiUsageMatchesTheOriginal() throws {
        let analysis = try AgentOutputFixtures.analyze("pi-rate-limit.log", exitCode: 0)
        XCTAssertEqual(
            analysis.usage,
            AgentUsage(
                model: "moonshot/kimi-k3", inputTokens: 60, outputTokens: 20, cachedTokens: 40,
                costUSD: 0.00021, durationMS: 17900, toolCallCount: 1))
        XCTAssertNil(try AgentOutputFixtures.analyze("pi-5xx.log", exitCode: 0).usage, "all-zero usage is not reported")
    }

    func testGeminiAndCodewhaleUsageMatchTheOriginal() throws {
        XCTAssertEqual(
            try AgentOutputFixtures.analyze("gemini-5xx.log").usage,
            AgentUsage(
                model: "gemini-2.5-pro", inputTokens: 11102, outputTokens: 132, durationMS: 40510, toolCallCount: 1))
        XCTAssertEqual(
            try AgentOutputFixtures.analyze("codewhale-rate-limit.log").usage,
            AgentUsage(model: "deepseek-v4", inputTokens: 4811, outputTokens: 96, toolCallCount: 1))
    }
}
