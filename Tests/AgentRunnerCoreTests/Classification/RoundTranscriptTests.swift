import XCTest

@testable import AgentRunnerCore

final class RoundTranscriptTests: XCTestCase {
    let now = AgentOutputFixtures.now
    let exit = AgentOutputFixtures.exit(1)

    func testOnlyTheTailOfAHugeTranscriptIsRead() {
        let old = #"{"type":"result","is_error":true,"api_error_status":429,"result":"old"}"# + "\n"
        let chatter = String(repeating: "x", count: 99) + "\n"
        let success = #"{"type":"result","is_error":false,"result":"done","usage":{"input_tokens":1}}"# + "\n"
        var text = old
        text.reserveCapacity(40 << 20)
        for _ in 0..<(40 << 20) / chatter.utf8.count { text += chatter }
        text += success
        let started = ContinuousClock.now
        let transcript = RoundTranscript(text: text)
        let analysis = ClaudeStreamClassifier().analyze(transcript, exit: exit, now: now)
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(5), "a 40 MB transcript costs its tail only")
        XCTAssertTrue(transcript.truncated)
        XCTAssertLessThanOrEqual(transcript.lines.reduce(0) { $0 + $1.utf8.count + 1 }, RoundTranscript.tailBytes)
        XCTAssertNil(analysis.transient, "the 429 at the start is out of view")
        XCTAssertTrue(analysis.sawResult)
    }

    func testTheTornFirstLineOfACutTailIsDropped() {
        let record = #"{"type":"result","is_error":true,"api_error_status":503,"result":"x"}"#
        // The cut falls inside the record: its second half must not be parsed as anything.
        let filler = String(repeating: "y", count: RoundTranscript.tailBytes - 20) + "\n"
        let transcript = RoundTranscript(text: record + "\n" + filler)
        XCTAssertTrue(transcript.truncated)
        XCTAssertEqual(transcript.lines, [String(filler.dropLast())])
        XCTAssertTrue(transcript.records.isEmpty)
    }

    func testTheJSONWindowCountsJSONLookingLinesOnly() {
        var lines = [#"{"type":"result","is_error":true,"api_error_status":429,"result":"in view"}"#]
        for _ in 0..<5000 { lines.append("plain stderr chatter") }
        lines += Array(repeating: #"{"type":"system","subtype":"status"}"#, count: RoundTranscript.jsonWindow - 1)
        let transcript = RoundTranscript(text: lines.joined(separator: "\n"))
        XCTAssertEqual(transcript.records.count, RoundTranscript.jsonWindow)
        XCTAssertEqual(ClaudeStreamClassifier().analyze(transcript, exit: exit, now: now).transient?.raw, "in view")

        lines.append(#"{"type":"system","subtype":"status"}"#)
        let pushedOut = RoundTranscript(text: lines.joined(separator: "\n"))
        XCTAssertNil(ClaudeStreamClassifier().analyze(pushedOut, exit: exit, now: now).transient)
    }

    func testTornAndGarbledLinesAreSkipped() {
        let text = [
            String(repeating: "[", count: 100_000),
            #"{"type":"result","is_error":true,"#,
            "\u{FF}{broken",
            #"{"type":"assistant","message":{"model":"claude-opus-5","content":[{"type":"tool_use","na"#,
            #"[1, 2, 3]"#,
            #"{"type":"result","is_error":true,"api_error_status":503,"result":"overloaded \#u{FFFD}"}"#,
        ].joined(separator: "\n")
        let bytes = Array(text.utf8) + [0x0A, 0xFF, 0xFE, 0x0A]
        let analysis = ClaudeStreamClassifier().analyze(RoundTranscript(bytes: bytes), exit: exit, now: now)
        XCTAssertEqual(analysis.transient?.classification, .apiTransient5xx)
        XCTAssertEqual(analysis.transient?.raw, "overloaded \u{FFFD}")
    }

    func testTerminalEscapesAreRemovedBeforeARecordIsRecognised() {
        let text =
            "\u{1B}[2K\u{1B}[1G{\"type\":\"result\",\"is_error\":true,\"api_error_status\":429,\"result\":\"x\"}\n"
            + "\u{1B}]0;title\u{07}\u{1B}[31mred\u{1B}[0m text\r\n"
            + "progress 10%\rprogress 100%\n"
        let transcript = RoundTranscript(text: text)
        XCTAssertEqual(
            transcript.lines,
            [
                #"{"type":"result","is_error":true,"api_error_status":429,"result":"x"}"#,
                "red text", "progress 100%",
            ])
        XCTAssertEqual(transcript.records.count, 1)
    }

    func testTerminalEscapeForms() {
        XCTAssertEqual(TerminalEscapes.strip("\u{1B}[1;31;40mA\u{1B}[0m"), "A")
        XCTAssertEqual(TerminalEscapes.strip("\u{1B}]8;;https://x\u{1B}\\link\u{1B}]8;;\u{1B}\\"), "link")
        XCTAssertEqual(TerminalEscapes.strip("a\u{1B}7b\u{1B}8c"), "abc")
        XCTAssertEqual(TerminalEscapes.strip("unterminated \u{1B}["), "unterminated ")
        XCTAssertEqual(TerminalEscapes.strip("kept\r"), "kept")
    }
}
