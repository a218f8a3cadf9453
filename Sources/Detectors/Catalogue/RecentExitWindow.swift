import FleetCore

/// The last `window` rounds with a known exit: the input of the rate detectors (timeout_rate,
/// oauth_fail, network_fail).
///
/// It exists only when the window is full: with fewer exits a single bad round would be a 100%
/// rate (the original also waits for exactly `window` exits). Invalid policy values (a window
/// outside 1...1000, a threshold that is not a fraction above 0) also give no window.
struct RecentExitWindow {
    let rounds: ArraySlice<RoundSummary>
    let size: Int
    let threshold: Double

    init?(_ observation: HostObservation, policy: Inventory.DetectorPolicy) {
        guard (1...1000).contains(policy.window), policy.rateThreshold.isFinite,
              policy.rateThreshold > 0, policy.rateThreshold <= 1
        else { return nil }
        var exits: [RoundSummary] = []
        for round in observation.rounds.reversed() where round.hasExited {
            exits.append(round)
            if exits.count == policy.window { break }
        }
        guard exits.count == policy.window else { return nil }
        rounds = ArraySlice(exits.reversed())
        size = policy.window
        threshold = policy.rateThreshold
    }

    /// Whether `count` matching rounds reach the threshold (`count / window ≥ threshold`),
    /// tolerant of binary rounding so that 2/10 reaches 0.2.
    func reaches(_ count: Int) -> Bool {
        Double(count) / Double(size) >= threshold - 1e-12
    }

    /// `{matches, window, threshold}`, the head of the oauth_fail and network_fail contexts.
    func matchContext(_ matches: Int) -> JSONObject {
        ["matches": .int(Int64(matches)), "window": .int(Int64(size)), "threshold": .double(threshold)]
    }
}
