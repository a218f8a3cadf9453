import XCTest

@testable import fleet_bench

/// The soak's reduction of a watch run to windows of cycles, and of a serve run to its budgets.
final class SoakReportTests: XCTestCase {
    /// Two hosts answering in turn every 0.5 s (a cycle a second) for 40 cycles, sampled every
    /// 0.5 s; descriptors jump by 6 on every other sample (polls in flight), RSS as given.
    func watch(rssKiB: (Int) -> Int, leakEvery: Int? = nil) -> FleetWatchRun {
        var run = FleetWatchRun()
        for step in 0..<80 {
            run.arrivals.append(PollArrival(host: step % 2 == 0 ? "a" : "b", at: Double(step + 1) * 0.5, latencyS: 0.1))
        }
        for step in 0..<81 {
            let leaked = leakEvery.map { step / $0 } ?? 0
            run.samples.append(
                FleetWatchRun.Sample(
                    at: Double(step) * 0.5 + 0.25, fleetctlCPU: 0, clientCPU: 0, fleetctlRSSKiB: rssKiB(step),
                    fleetctlDescriptors: 5 + (step % 2 == 0 ? 6 : 0) + leaked, children: 0, strayChildren: 0,
                    masters: 2, masterCPU: 0, masterRSSKiB: 0, sshdCPU: 0, benchCPU: 0, stateBytes: 16_384))
        }
        return run
    }

    func testWatchWindowsSkipTheWarmUpAndTakeTheLeastDescriptors() {
        let series = SoakReport.series(watch(rssKiB: { $0 < 4 ? 10_240 : 17_408 }), hosts: 2, cycles: 40, every: 4)
        let fds = series[1]
        XCTAssertEqual(fds.points.map(\.at), [8, 12, 16, 20, 24, 28, 32, 36, 40], "cycles 0-4 are the warm-up")
        XCTAssertEqual(Set(fds.points.map(\.value)), [5], "polls in flight are not a leak")
        XCTAssertTrue(series.allSatisfy(\.passed), series.map(\.line).joined(separator: "\n"))
        XCTAssertEqual(series[4].points.first?.value ?? 0, 1000, accuracy: 1e-6, "a cycle a second")
        XCTAssertEqual(series[3].points.first?.value, 16)
    }

    func testALeakingWatchFails() {
        let series = SoakReport.series(watch(rssKiB: { _ in 17_408 }, leakEvery: 10), hosts: 2, cycles: 40, every: 4)
        XCTAssertFalse(series[1].passed, series[1].line)
    }

    func testServeBudgetsAreCeilingsAtEverySample() {
        var run = ServeSoakRun(
            settings: .init(
                label: "1mib", rounds: 1000, every: 500, transcriptBytes: 1 << 20, retention: 100, maxMB: 16))
        for round in [500, 1000] {
            run.samples.append(
                .init(
                    round: round, rssKiB: 14_000, descriptors: 9, threads: 4, children: 0, roundLogs: 17,
                    roundLogBytes: 17 << 20, largestRoundLog: 1 << 20, logDirBytes: 18 << 20, monthlyLogBytes: 1 << 20))
            run.overheads[round] = 0.05
        }
        var series = SoakReport.series(run)
        XCTAssertEqual(series.map(\.name).count, 8)
        XCTAssertTrue(series.allSatisfy(\.passed), "16 MiB + the just-finished 1 MiB transcript is within budget")
        run.samples[1].roundLogBytes = 18 << 20
        series = SoakReport.series(run)
        XCTAssertFalse(series.first { $0.name == "round logs on disk" }?.passed ?? true)
    }
}
