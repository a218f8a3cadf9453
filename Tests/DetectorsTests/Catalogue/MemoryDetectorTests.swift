import FleetCore
import XCTest

@testable import Detectors

/// The §10 ladder and mem_pressure, mem_signal_unavailable, mem_pressure_gate_inert.
final class MemoryDetectorTests: XCTestCase {
    private typealias F = Fixtures
    private let mib = 1_048_576.0

    private func observe(_ latest: SystemSample, previous: SystemSample? = nil) -> HostObservation {
        F.observation(system: [previous, latest].compactMap { $0 })
    }

    private func all(_ observation: HostObservation) -> [String: Alert] {
        var result: [String: Alert] = [:]
        for detector in [MemPressureDetector(), MemSignalUnavailableDetector(), MemPressureGateInertDetector()]
            as [any Detector]
        {
            for alert in (try? detector.detect(observation, settings: F.settings())) ?? [] {
                result[alert.detector] = alert
            }
        }
        return result
    }

    func testPSIFullCriticalThreshold() throws {
        let below = all(
            observe(SystemSample(memAvailableMB: 5000, memFreeMB: 4000, psiSomeAvg10: 4.9, psiFullAvg10: 59.9)))
        XCTAssertNil(below["mem_pressure"])
        let at = all(observe(SystemSample(memAvailableMB: 5000, memFreeMB: 4000, psiSomeAvg10: 70, psiFullAvg10: 60)))
        let alert = try XCTUnwrap(at["mem_pressure"])
        XCTAssertEqual(alert.severity, .critical)
        XCTAssertEqual(alert.message, "memory PSI full avg10 60.0 >= 60.0")
        XCTAssertEqual(alert.context["signal"], "psi")
        XCTAssertEqual(alert.key, "mem_pressure")
        // Available memory looks fine while PSI says critical: the gate is inert.
        let inert = try XCTUnwrap(at["mem_pressure_gate_inert"])
        XCTAssertEqual(inert.context["avail_min_mb"], 200)
        XCTAssertEqual(inert.context["mem_available_mb"], 5000)
        XCTAssertNotNil(inert.context["hint"])
    }

    func testPSISomeWarningThreshold() {
        XCTAssertNil(
            all(observe(SystemSample(memFreeMB: 10, psiSomeAvg10: 4.99, psiFullAvg10: 0)))["mem_pressure"],
            "healthy PSI is authoritative: the low free memory below is not consulted")
        let at = all(observe(SystemSample(memAvailableMB: 100, psiSomeAvg10: 5, psiFullAvg10: 0)))
        XCTAssertEqual(at["mem_pressure"]?.severity, .warning)
        XCTAssertEqual(at["mem_pressure"]?.message, "memory PSI some avg10 5.0 >= 5.0")
        XCTAssertNil(at["mem_pressure_gate_inert"], "available memory is below avail_min_mb: the gate is not inert")
    }

    func testSwapOutTier() throws {
        let previous = SystemSample(swapSoutBytes: 1000 * mib)
        let atFloor = all(
            observe(SystemSample(memAvailableMB: 900, memFreeMB: 500, swapSoutBytes: 1032 * mib), previous: previous))
        XCTAssertNil(atFloor["mem_pressure"], "exactly the 32 MiB noise floor is not pressure")
        let warning = all(
            observe(SystemSample(memAvailableMB: 900, memFreeMB: 500, swapSoutBytes: 1033 * mib), previous: previous))
        XCTAssertEqual(warning["mem_pressure"]?.severity, .warning)
        XCTAssertEqual(warning["mem_pressure"]?.context["signal"], "swap_out_rate")
        XCTAssertEqual(warning["mem_pressure"]?.message, "swapped out 33.0 MiB since the previous sample (> 32 MiB)")
        XCTAssertNotNil(warning["mem_pressure_gate_inert"])
        let critical = all(
            observe(SystemSample(memAvailableMB: 150, memFreeMB: 15, swapSoutBytes: 1100 * mib), previous: previous))
        XCTAssertEqual(critical["mem_pressure"]?.severity, .critical)
        XCTAssertEqual(
            critical["mem_pressure"]?.message,
            "swapped out 100.0 MiB since the previous sample (> 32 MiB) with mem_free_mb 15 < 16")
        XCTAssertNil(critical["mem_pressure_gate_inert"])
    }

    func testCombinedLowTier() {
        XCTAssertNil(all(observe(SystemSample(memAvailableMB: 200, memFreeMB: 10)))["mem_pressure"])
        XCTAssertNil(all(observe(SystemSample(memAvailableMB: 100, memFreeMB: 16)))["mem_pressure"])
        let low = all(observe(SystemSample(memAvailableMB: 199, memFreeMB: 15)))
        XCTAssertEqual(low["mem_pressure"]?.severity, .warning)
        XCTAssertEqual(low["mem_pressure"]?.message, "mem_free_mb 15 < 16 and mem_available_mb 199 < 200")
        XCTAssertNil(low["mem_pressure_gate_inert"], "combined_low is not a psi or swap signal")
    }

    func testSignalUnavailable() throws {
        // Swap counter but no previous sample, no PSI, no free/available pair: nothing usable.
        let alerts = all(observe(SystemSample(memAvailableMB: 800, swapSoutBytes: 5 * mib)))
        let alert = try XCTUnwrap(alerts["mem_signal_unavailable"])
        XCTAssertEqual(alert.context, ["mem_available_mb": 800])
        XCTAssertNil(alerts["mem_pressure"])
        // A shrinking swap counter (reboot) is no data either.
        XCTAssertNotNil(
            all(observe(SystemSample(swapSoutBytes: 1), previous: SystemSample(swapSoutBytes: 9 * mib)))[
                "mem_signal_unavailable"])
    }

    func testOldFormatSampleIsSkipped() {
        // The 0.3.14 peek `system` block: disk and available memory only.
        XCTAssertEqual(all(observe(SystemSample(diskUsedPct: 15.8, memAvailableMB: 10))), [:])
        XCTAssertEqual(all(F.observation()), [:])
    }
}
