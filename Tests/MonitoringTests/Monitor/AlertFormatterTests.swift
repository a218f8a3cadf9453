import Detectors
import FleetCore
import TestSupport
import XCTest

@testable import Monitoring

/// The bytes each monitor prints for an alert, pinned: fleetctl watch's form and the original
/// monitor's (agent-runner monitor, local and --host).
final class AlertFormatterTests: XCTestCase {
    let alert = Alert(
        detector: "oauth_fail", severity: .critical, message: "10/10 recent rounds failed auth",
        context: ["matches": 10], requestsStop: true)

    func notification(_ state: AlertNotification.State = .firing, repeat isRepeat: Bool = false) -> AlertNotification {
        AlertNotification(
            host: "pi", alert: alert, state: state, isRepeat: isRepeat, since: Peek.time(0),
            at: Peek.time(90), autoAction: "stop_service")
    }

    func compact(_ object: JSONObject) -> String {
        JSONWriter(style: .compact).string(.object(object))
    }

    func testFleetForm() {
        let fleet = AlertFormatter(.fleet)
        let silence = AlertSilence(id: "s1", reason: "maintenance")
        XCTAssertEqual(fleet.line(notification()), "[CRIT] pi oauth_fail — 10/10 recent rounds failed auth")
        XCTAssertEqual(
            fleet.line(notification(repeat: true)),
            "[CRIT] pi oauth_fail (still firing) — 10/10 recent rounds failed auth")
        XCTAssertEqual(
            fleet.line(notification(.resolved), silence: silence),
            "[OK] pi oauth_fail resolved — was: 10/10 recent rounds failed auth"
                + " (silenced by s1: maintenance)")
        XCTAssertEqual(
            compact(fleet.json(notification(), silence: silence)),
            #"{"type":"alert","host":"pi","state":"firing","repeat":false,"detector":"oauth_fail","#
                + #""severity":"critical","message":"10/10 recent rounds failed auth","#
                + #""context":{"matches":10},"#
                + #""key":"oauth_fail","since":"2026-11-18T11:06:40.000Z","ts":"2026-11-18T11:08:10.000Z","#
                + #""auto_action":"stop_service","silenced_by":"s1"}"#)
        XCTAssertEqual(fleet.json(notification())["silenced_by"], .null)
    }

    func testOriginalForm() {
        let remote = AlertFormatter(.original(namesHost: true))
        XCTAssertEqual(remote.line(notification()), "[CRIT] oauth_fail — 10/10 recent rounds failed auth")
        XCTAssertEqual(remote.line(notification(repeat: true)), "[CRIT] oauth_fail — 10/10 recent rounds failed auth")
        XCTAssertEqual(remote.line(notification(.resolved)), "[OK] oauth_fail resolved")
        XCTAssertEqual(
            compact(remote.json(notification(.resolved))),
            #"{"severity":"critical","detector":"oauth_fail","message":"10/10 recent rounds failed auth","#
                + #""context":{"matches":10},"ts":"2026-11-18T11:08:10.000Z","auto_action":"stop_service","#
                + #""host":"pi","state":"resolved"}"#)
        let local = AlertFormatter(.original(namesHost: false))
        XCTAssertEqual(
            local.json(notification()),
            AlertFormatter.originalJSON(alert, ts: "2026-11-18T11:08:10.000Z", autoAction: "stop_service"))
        XCTAssertEqual(
            JSONWriter(style: .python).string(.object(local.json(notification()))),
            #"{"severity": "critical", "detector": "oauth_fail", "#
                + #""message": "10/10 recent rounds failed auth", "context": {"matches": 10}, "#
                + #""ts": "2026-11-18T11:08:10.000Z", "auto_action": "stop_service"}"#)
        XCTAssertEqual(AlertFormatter.originalLine(alert), alert.line)
    }
}

/// The one alert formatter behind all three monitors prints one safe line whatever the host
/// sent: no ESC, C0/C1 or bidi control and no newline survives, in either form.
final class AlertFormatterSanitizingTests: XCTestCase {
    func testGeneratedHostTextNeverDrivesTheTerminal() {
        let generator = HostileText()
        for _ in 0..<500 {
            let alert = Alert(detector: "anomaly_repetitive_active", severity: .warning, message: generator.string())
            let notification = AlertNotification(
                host: "pi", alert: alert, state: generator.random.below(2) == 0 ? .firing : .resolved,
                since: Peek.time(0), at: Peek.time(1), autoAction: "none")
            for form in [AlertFormatter.Form.fleet, .original(namesHost: true)] {
                let line = AlertFormatter(form).line(notification)
                XCTAssertFalse(line.unicodeScalars.contains { TerminalText.isUnsafe($0) }, generator.random.replayHint)
            }
            XCTAssertFalse(
                AlertFormatter.originalLine(alert).unicodeScalars.contains { TerminalText.isUnsafe($0) },
                generator.random.replayHint)
        }
    }
}
