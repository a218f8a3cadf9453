import FleetCore

/// The host memory-pressure signal ladder (detectors.md §10), evaluated on the latest sample and
/// the one before it. It tells *how* the host is under pressure as well as how badly, because the
/// tiers differ in trust: PSI measures stalls directly; swap-out and low free memory are proxies.
public enum MemoryPressureLadder {
    /// `[monitor.host_health.memory]` and `.pressure` thresholds (§10 defaults).
    public struct Thresholds: Sendable, Equatable {
        public var psiFullAvg10Critical: Double = 60
        public var psiSomeAvg10Warning: Double = 5
        public var swapOutNoiseFloorMB: Double = 32
        public var freeLowMB: Double = 16
        public var availMinMB: Double = 200
        public init() {}
    }

    /// The tier that reported the pressure.
    public enum Signal: String, Sendable, Equatable {
        case psi
        case swapOutRate = "swap_out_rate"
        case combinedLow = "combined_low"
    }

    /// A pressure finding: what mem_pressure reports.
    public struct Pressure: Sendable, Equatable {
        public var severity: AlertSeverity
        public var signal: Signal
        public var message: String
        public var context: JSONObject
    }

    /// The ladder's answer.
    public enum Verdict: Sendable, Equatable {
        /// A usable tier saw no pressure.
        case healthy
        case pressure(Pressure)
        /// No tier had the data it needs (no PSI, no swap-out delta, no free/available memory).
        case unavailable
    }

    /// Runs the ladder:
    /// 1. PSI readable: `full avg10 ≥ critical` → critical; else `some avg10 ≥ warning` → warning;
    ///    else healthy (PSI is authoritative, the proxies below are not consulted).
    /// 2. Swap-out since `previous` above the noise floor → critical when `mem_free_mb` is below
    ///    `free_low_mb`, else warning. A shrinking counter (reboot) is no data.
    /// 3. `mem_free_mb < free_low_mb` **and** `mem_available_mb < avail_min_mb` → warning.
    /// 4. Neither tier 2 nor tier 3 had its inputs → unavailable; otherwise healthy.
    public static func evaluate(latest: SystemSample, previous: SystemSample?, thresholds: Thresholds) -> Verdict {
        if latest.psiFullAvg10 != nil || latest.psiSomeAvg10 != nil {
            if let full = latest.psiFullAvg10, full >= thresholds.psiFullAvg10Critical {
                return .pressure(
                    Pressure(
                        severity: .critical, signal: .psi,
                        message:
                            "memory PSI full avg10 \(PythonFormat.float(full)) >= \(PythonFormat.float(thresholds.psiFullAvg10Critical))",
                        context: [
                            "signal": "psi", "psi_full_avg10": .double(full),
                            "threshold": .double(thresholds.psiFullAvg10Critical),
                        ]
                    ))
            }
            if let some = latest.psiSomeAvg10, some >= thresholds.psiSomeAvg10Warning {
                return .pressure(
                    Pressure(
                        severity: .warning, signal: .psi,
                        message:
                            "memory PSI some avg10 \(PythonFormat.float(some)) >= \(PythonFormat.float(thresholds.psiSomeAvg10Warning))",
                        context: [
                            "signal": "psi", "psi_some_avg10": .double(some),
                            "threshold": .double(thresholds.psiSomeAvg10Warning),
                        ]
                    ))
            }
            return .healthy
        }

        var usable = false
        if let now = latest.swapSoutBytes, let before = previous?.swapSoutBytes, now >= before {
            usable = true
            let deltaMB = (now - before) / 1_048_576
            if deltaMB > thresholds.swapOutNoiseFloorMB {
                let free = latest.memFreeMB
                let critical = free.map { $0 < thresholds.freeLowMB } ?? false
                var message =
                    "swapped out \(PythonFormat.fixed(deltaMB, decimals: 1)) MiB since the previous sample (> \(PythonFormat.count(thresholds.swapOutNoiseFloorMB)) MiB)"
                if critical, let free {
                    message +=
                        " with mem_free_mb \(PythonFormat.count(free)) < \(PythonFormat.count(thresholds.freeLowMB))"
                }
                return .pressure(
                    Pressure(
                        severity: critical ? .critical : .warning, signal: .swapOutRate, message: message,
                        context: [
                            "signal": "swap_out_rate", "swap_out_mb": .double(deltaMB),
                            "noise_floor_mb": PythonFormat.countJSON(thresholds.swapOutNoiseFloorMB),
                            "mem_free_mb": free.map(PythonFormat.countJSON) ?? .null,
                            "free_low_mb": PythonFormat.countJSON(thresholds.freeLowMB),
                        ]
                    ))
            }
        }
        if let free = latest.memFreeMB, let available = latest.memAvailableMB {
            usable = true
            if free < thresholds.freeLowMB, available < thresholds.availMinMB {
                return .pressure(
                    Pressure(
                        severity: .warning, signal: .combinedLow,
                        message:
                            "mem_free_mb \(PythonFormat.count(free)) < \(PythonFormat.count(thresholds.freeLowMB)) and mem_available_mb \(PythonFormat.count(available)) < \(PythonFormat.count(thresholds.availMinMB))",
                        context: [
                            "signal": "combined_low", "mem_free_mb": PythonFormat.countJSON(free),
                            "free_low_mb": PythonFormat.countJSON(thresholds.freeLowMB),
                            "mem_available_mb": PythonFormat.countJSON(available),
                            "avail_min_mb": PythonFormat.countJSON(thresholds.availMinMB),
                        ]
                    ))
            }
        }
        return usable ? .healthy : .unavailable
    }

    /// The verdict for an observation, or nil when the memory detectors have nothing to judge:
    /// no sample, or an old-format one without any pressure field.
    static func evaluate(_ observation: HostObservation, thresholds: Thresholds) -> Verdict? {
        guard let latest = observation.latestSample, latest.hasPressureFields else { return nil }
        return evaluate(latest: latest, previous: observation.previousSample, thresholds: thresholds)
    }
}
