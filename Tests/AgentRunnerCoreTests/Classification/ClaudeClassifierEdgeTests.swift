import Foundation
import XCTest

@testable import AgentRunnerCore

final class ClaudeClassifierEdgeTests: XCTestCase {
    let now = AgentOutputFixtures.now
    let classifier = ClaudeStreamClassifier()

    func analyze(_ lines: [String], exitCode: Int32 = 1) -> TranscriptAnalysis {
        classifier.analyze(
            RoundTranscript(text: lines.joined(separator: "\n")), exit: AgentOutputFixtures.exit(exitCode), now: now)
    }

    func rejection(_ type: String?, resetsAt: Int64) -> String {
        let kind = type.map { #","rateLimitType":"\#($0)""# } ?? ""
        return #"{"type":"rate_limit_event","rate_limit_info":{"status":"rejected","resetsAt":\#(resetsAt)\#(kind)}}"#
    }

    func testEveryRejectedWindowHonoursItsReset() {
        for type in ["five_hour", "seven_day", "seven_day_opus", "overage", nil] {
            let analysis = analyze([
                rejection(type, resetsAt: now + 7200),
                #"{"type":"result","is_error":true,"result":"limit reached"}"#,
            ])
            XCTAssertEqual(
                analysis.transient,
                TransientError(
                    classification: .rateLimitAccount, resetAtEpoch: now + 7200,
                    raw: "limit reached"), type ?? "no type")
        }
    }

    func testARejectionTheRunSurvivedIsNoThrottle() {
        let analysis = analyze(
            [
                rejection("five_hour", resetsAt: now + 7200),
                #"{"type":"result","is_error":false,"result":"done via overage"}"#,
            ], exitCode: 0)
        XCTAssertNil(analysis.transient)
        XCTAssertFalse(analysis.reportedError)
    }

    func testUsageLimitTextWithoutTheEventGivesTheStatedReset() {
        let analysis = analyze([
            #"{"type":"result","is_error":true,"api_error_status":429,"#
                + #""result":"You've hit your weekly limit · resets 3am (UTC)"}"#
        ])
        XCTAssertEqual(analysis.transient?.classification, .rateLimitAccount)
        XCTAssertEqual(analysis.transient?.resetAtEpoch, 1_796_266_800, "2026-12-03T03:00:00Z")
    }

    func testKilledWhileRetrying() {
        func retry(_ status: String, _ error: String, delayMS: Int) -> String {
            #"{"type":"system","subtype":"api_retry","attempt":3,"max_retries":10,"retry_delay_ms":\#(delayMS),"#
                + #""error_status":\#(status),"error":"\#(error)"}"#
        }
        let serverError = analyze([retry("503", "server_error", delayMS: 2000)], exitCode: -15)
        XCTAssertEqual(serverError.transient?.classification, .apiTransient5xx)
        XCTAssertEqual(serverError.transient?.resetAtEpoch, now + 60, "the default when claude planned less")
        let network = analyze([retry("null", "unknown", delayMS: 1209)], exitCode: -15)
        XCTAssertEqual(network.transient?.classification, .networkError)
        XCTAssertNotNil(network.networkMatch)
        let recovered = analyze(
            [
                retry("529", "overloaded", delayMS: 500),
                #"{"type":"assistant","message":{"model":"claude-opus-5","content":[]}}"#,
            ], exitCode: -15)
        XCTAssertNil(recovered.transient, "claude made progress after the retry")
    }

    func testTheModelNeverComesFromTheSyntheticErrorRecord() {
        let analysis = analyze([
            #"{"type":"system","subtype":"init","model":"claude-opus-5"}"#,
            #"{"type":"assistant","message":{"model":"<synthetic>","content":[{"type":"text","text":"API Error"}]},"#
                + #""error":"server_error"}"#,
            #"{"type":"result","is_error":true,"api_error_status":500,"result":"API Error","#
                + #""usage":{"input_tokens":0}}"#,
        ])
        XCTAssertEqual(analysis.usage?.model, "claude-opus-5")
        let bare = analyze([
            #"{"type":"assistant","message":{"model":"<synthetic>","content":[]}}"#,
            #"{"type":"result","is_error":true,"result":"x","usage":{}}"#,
        ])
        XCTAssertEqual(bare.usage?.model, "unknown")
    }

    /// The original's harness transcripts (Claude Code 2.1.4 shapes): "API Error: Connection
    /// error." with the node error on stderr. The original saw no blip for ECONNRESET and a
    /// "dns" one for ENOTFOUND only through the `node:dns` stack frame.
    func testOriginalHarnessNetworkTranscripts() throws {
        for (stem, matched) in [
            ("claude-net-reset", "ECONNRESET"), ("claude-net-dns", "ENOTFOUND"),
            ("claude-net-refused", "ECONNREFUSED"),
        ] {
            let analysis = classifier.analyze(
                RoundTranscript(text: try AgentOutputFixtures.harness(stem)),
                exit: AgentOutputFixtures.exit(1), now: now)
            XCTAssertEqual(analysis.transient?.classification, .networkError, stem)
            XCTAssertEqual(analysis.transient?.raw, "API Error: Connection error.", stem)
            XCTAssertEqual(analysis.networkMatch, matched, stem)
        }
        let weekly = try AgentOutputFixtures.harness("claude-429-weekly").replacingOccurrences(
            of: "@NOW+3600@", with: "\(now + 3600)")
        let analysis = classifier.analyze(RoundTranscript(text: weekly), exit: AgentOutputFixtures.exit(1), now: now)
        XCTAssertEqual(
            analysis.transient,
            TransientError(
                classification: .rateLimitAccount, resetAtEpoch: now + 3600,
                raw: "Weekly limit reached ∙ resets 3am (UTC)"),
            "the original treated this seven_day rejection as a crash")
    }

    func testAStatusOnlyInTheTextOfAnOlderVersion() {
        let analysis = analyze([#"{"type":"result","is_error":true,"result":"API Error: 529 Overloaded"}"#])
        XCTAssertEqual(analysis.transient?.classification, .apiTransient5xx)
        let interrupted = analyze([#"{"type":"result","is_error":true,"subtype":"error_max_turns","result":"stopped"}"#]
        )
        XCTAssertNil(interrupted.bucket)
        XCTAssertFalse(interrupted.reportedError, "not a provider error")
    }

    func testSecretsAreRedactedInRawAndAuthText() {
        let leaked = "Bearer sk-ant-api03-SECRETSECRETSECRET"
        let rate = analyze([
            #"{"type":"result","is_error":true,"api_error_status":429,"result":"Authorization: \#(leaked)"}"#
        ])
        XCTAssertFalse(rate.transient?.raw.contains("SECRET") ?? true, rate.transient?.raw ?? "")
        let auth = analyze([
            #"{"type":"result","is_error":true,"api_error_status":401,"result":"bad key sk-ant-api03-SECRETSECRET"}"#
        ])
        XCTAssertEqual(auth.authFailure, "bad key <redacted>")
        XCTAssertNil(auth.transient)
    }

    func testRawIsCappedAt200Characters() {
        let long = String(repeating: "overloaded ", count: 100)
        let analysis = analyze([#"{"type":"result","is_error":true,"api_error_status":529,"result":"\#(long)"}"#])
        XCTAssertEqual(analysis.transient?.raw.count, 200)
    }

    func testACrashAfterItsRecordsIsReadFromStderrButOtherCLIsOutputIsNot() throws {
        let crashed = analyze([
            #"{"type":"system","subtype":"init","model":"claude-opus-5"}"#,
            "Error: read ECONNRESET", "    at TLSWrap.onStreamRead (node:internal/stream_base_commons)",
        ])
        XCTAssertEqual(crashed.networkMatch, "ECONNRESET")
        XCTAssertEqual(crashed.transient?.raw, "Error: read ECONNRESET")
        let aider = try AgentOutputFixtures.bytes("aider-edit-online-defaults.log")
        XCTAssertNil(
            classifier.analyze(RoundTranscript(bytes: aider), exit: AgentOutputFixtures.exit(0), now: now).bucket,
            "aider's failed price-map fetch ('Temporary failure in name resolution') is no claude verdict")
    }

    func testTheLegacyLinesEntryStillClassifies() {
        let line: Substring = #"{"type":"result","is_error":true,"api_error_status":403,"result":"forbidden"}"#
        XCTAssertEqual(classifier.analyze(lines: [line], now: now).authFailure, "forbidden")
    }
}
