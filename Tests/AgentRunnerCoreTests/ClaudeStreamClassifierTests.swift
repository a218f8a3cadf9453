import XCTest

@testable import AgentRunnerCore

final class ClaudeStreamClassifierTests: XCTestCase {
    let classifier = ClaudeStreamClassifier()
    let now: Int64 = 1_764_000_000

    func lines(_ text: String) -> [Substring] { text.split(separator: "\n", omittingEmptySubsequences: false) }

    func testFiveHourUsesServerReset() {
        let transcript = """
            fake-claude argv: -p
            {"type":"system","subtype":"init","model":"claude-opus-5"}
            {"type":"rate_limit_event","rate_limit_info":{"status":"rejected","rateLimitType":"five_hour","resetsAt":1764007200}}
            {"type":"result","is_error":true,"result":"Claude AI usage limit reached","duration_ms":40}
            """
        let analysis = classifier.analyze(lines: lines(transcript), now: now)
        XCTAssertEqual(
            analysis.transient,
            TransientError(
                classification: .rateLimitAccount, resetAtEpoch: 1_764_007_200, raw: "Claude AI usage limit reached"))
        XCTAssertTrue(analysis.sawResult)
    }

    func testFiveHourWithoutResetFallsBack() {
        let analysis = classifier.analyze(
            lines: lines(
                #"{"type":"rate_limit_event","rate_limit_info":{"status":"rejected","rateLimitType":"five_hour","resetsAt":"soon"}}"#
            ), now: now)
        XCTAssertEqual(analysis.transient?.resetAtEpoch, now + 300)
    }

    func testStatusLadderAndRedaction() {
        func classify(_ status: Int) -> TransientError? {
            classifier.analyze(
                lines: lines(
                    #"{"type":"result","is_error":true,"api_error_status":\#(status),"result":"API Error: \#(status) (Authorization: Bearer sk-ant-FAKEFAKEFAKE)"}"#
                ), now: now
            ).transient
        }
        XCTAssertEqual(classify(429)?.classification, .rateLimitModel)
        XCTAssertEqual(classify(429)?.resetAtEpoch, now + 60)
        XCTAssertEqual(classify(503)?.classification, .apiTransient5xx)
        XCTAssertEqual(classify(529)?.classification, .apiTransient5xx)
        XCTAssertEqual(classify(408)?.classification, .apiTimeout)
        XCTAssertEqual(classify(408)?.resetAtEpoch, now + 30)
        XCTAssertNil(classify(401))
        XCTAssertNil(classify(501))
        let raw = classify(429)?.raw ?? ""
        XCTAssertFalse(raw.contains("sk-ant"), raw)
        XCTAssertTrue(raw.contains("<redacted>"), raw)
    }

    func testUsageAndToolCalls() {
        let transcript = """
            {"type":"assistant","message":{"model":"claude-opus-5","content":[{"type":"tool_use","id":"a","name":"Read","input":{"file_path":"README.md"}}]}}
            {"type":"assistant","message":{"model":"claude-opus-5","content":[{"type":"tool_use","id":"b","name":"Bash","input":{"command":"pytest -x"}}]}}
            {"type":"result","is_error":false,"usage":{"input_tokens":5,"output_tokens":6,"cache_read_input_tokens":17806,"cache_creation_input_tokens":12234},"duration_ms":6657,"total_cost_usd":0.0855405,"result":"done"}
            """
        let analysis = classifier.analyze(lines: lines(transcript), now: now)
        XCTAssertNil(analysis.transient)
        XCTAssertEqual(
            analysis.toolCalls,
            [ToolCall(name: "Read", target: "README.md"), ToolCall(name: "Bash", target: "pytest -x")])
        XCTAssertEqual(
            analysis.usage,
            AgentUsage(
                model: "claude-opus-5", inputTokens: 5, outputTokens: 6, cachedTokens: 17806,
                cacheCreationTokens: 12234, costUSD: 0.0855405, durationMS: 6657, toolCallCount: 2))
    }

    func testHostileLinesAreSkipped() {
        let deep = String(repeating: "[", count: 100_000)
        let transcript =
            "\(deep)\n{\"type\":\"result\",\n\u{FF}{broken\n{\"type\":\"result\",\"is_error\":true,\"api_error_status\":503,\"result\":\"x\"}"
        let analysis = classifier.analyze(lines: lines(transcript), now: now)
        XCTAssertEqual(analysis.transient?.classification, .apiTransient5xx)
    }

    func testOnlyTheLastWindowCounts() {
        var text = #"{"type":"result","is_error":true,"api_error_status":429,"result":"old"}"#
        for _ in 0..<ClaudeStreamClassifier.window { text += "\n{\"type\":\"system\"}" }
        XCTAssertNil(classifier.analyze(lines: lines(text), now: now).transient)
    }
}

final class ClassifierFuzzTests: XCTestCase {
    /// Random mutations of real transcripts: the classifier must never crash or hang.
    func testMutatedTranscripts() {
        let base = Array(
            """
            {"type":"system","subtype":"init","model":"claude-opus-5"}
            {"type":"assistant","message":{"model":"claude-opus-5","content":[{"type":"tool_use","id":"a","name":"Read","input":{"file_path":"README.md"}}]}}
            {"type":"rate_limit_event","rate_limit_info":{"status":"rejected","rateLimitType":"five_hour","resetsAt":1764007200}}
            {"type":"result","is_error":true,"api_error_status":429,"result":"API Error","usage":{"input_tokens":5},"total_cost_usd":0.1}
            """.utf8)
        var state: UInt64 = 7
        func next() -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(truncatingIfNeeded: state >> 33)
        }
        let classifier = ClaudeStreamClassifier()
        for _ in 0..<3000 {
            var bytes = base
            for _ in 0..<(1 + next() % 6) {
                let position = next() % (bytes.count + 1)
                switch next() % 4 {
                case 0 where position < bytes.count: bytes[position] = UInt8(truncatingIfNeeded: next())
                case 1:
                    bytes.insert(contentsOf: Array(repeating: UInt8(ascii: "["), count: next() % 3000), at: position)
                case 2 where position < bytes.count:
                    bytes.removeSubrange(position..<min(bytes.count, position + next() % 40))
                default:
                    bytes.insert(contentsOf: Array("\"resetsAt\":1e999,\"api_error_status\":-1".utf8), at: position)
                }
            }
            let text = String(decoding: bytes, as: UTF8.self)
            let analysis = classifier.analyze(
                lines: text.split(separator: "\n", omittingEmptySubsequences: false), now: 1_764_000_000)
            if let reset = analysis.transient?.resetAtEpoch {
                XCTAssertGreaterThan(reset, 0)
            }
        }
    }
}
