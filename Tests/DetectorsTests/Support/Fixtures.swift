import FleetCore
import XCTest

@testable import Detectors

/// Builders for observations and events, anchored at a fixed instant so tests never read a clock.
enum Fixtures {
    /// 2026-11-25T12:00:00.000Z
    static let t0 = UTCInstant(seconds: 1_795_608_000)

    /// `t0 + seconds`, with millisecond precision.
    static func instant(_ seconds: Double) -> UTCInstant {
        UTCInstant(seconds: t0.seconds, nanoseconds: Int64((seconds * 1000).rounded()) * 1_000_000)
    }

    /// The event-log timestamp of `t0 + seconds`.
    static func ts(_ seconds: Double) -> String {
        EventTimestamp.format(instant(seconds))
    }

    static func event(_ seconds: Double, _ kind: String, _ payload: JSONObject = [:]) -> Event {
        Event(ts: ts(seconds), kind: kind, payload: payload, raw: "")
    }

    /// A finished round summary; defaults describe a clean 300 s round.
    static func round(
        _ number: Int, exitCode: Int = 0, duration: Double = 300, timedOut: Bool = false, cause: String = "clean",
        auth: Bool = false, network: Bool = false
    ) -> RoundSummary {
        RoundSummary(
            roundNum: number, startedAt: ts(Double(number) * 1000), endedAt: ts(Double(number) * 1000 + duration + 1),
            exitCode: exitCode, durationS: duration, timedOut: timedOut, exitCause: cause, authFailure: auth,
            networkFailure: network
        )
    }

    /// `total` finished rounds numbered from 1, of which the last `matching` are built by `special`.
    static func rounds(total: Int, matching: Int, _ special: (Int) -> RoundSummary) -> [RoundSummary] {
        (1...total).map { number in number > total - matching ? special(number) : round(number) }
    }

    static func observation(
        now: Double = 100_000, events: [Event] = [], rounds: [RoundSummary]? = nil, system: [SystemSample] = [],
        config: HostConfigFacts = HostConfigFacts(), project: String? = nil, reportedThrottle: ReportedThrottle? = nil
    ) -> HostObservation {
        HostObservation(
            now: instant(now), clock: .host, project: project, events: events, rounds: rounds, system: system,
            config: config,
            reportedThrottle: reportedThrottle
        )
    }

    static func settings(_ configure: (inout DetectorPolicy) -> Void = { _ in }) -> DetectorSettings {
        var policy = DetectorPolicy()
        configure(&policy)
        return DetectorSettings(policy: policy)
    }

    /// Runs one detector; fails the test if it throws.
    static func alerts(
        _ detector: some Detector, _ observation: HostObservation, _ settings: DetectorSettings = settings(),
        file: StaticString = #filePath, line: UInt = #line
    ) -> [Alert] {
        do {
            let alerts = try detector.detect(observation, settings: settings)
            for alert in alerts { XCTAssertEqual(alert.detector, detector.name, file: file, line: line) }
            return alerts
        } catch {
            XCTFail("\(detector.name) threw \(error)", file: file, line: line)
            return []
        }
    }
}
