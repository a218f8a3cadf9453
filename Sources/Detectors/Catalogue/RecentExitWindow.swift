import FleetCore

/// The last `window` rounds with a known exit: the input of the rate detectors (timeout_rate,
/// oauth_fail, network_fail).
///
/// It exists only when the window is full: with fewer exits a single bad round would be a 100%
/// rate (the original also waits for exactly `window` exits). Invalid policy values (a window
/// outside 1...1000, a threshold that is not a fraction above 0) also give no window.
struct RecentExitWindow {
    /// The observation's rounds; the window is ``positions`` of them.
    private let all: [RoundSummary]
    /// Where the window's rounds sit in the observation's rounds, oldest first.
    private let positions: [Int]
    let size: Int
    let threshold: Double

    init?(_ observation: HostObservation, policy: DetectorPolicy) {
        guard (1...1000).contains(policy.window), policy.rateThreshold.isFinite,
            policy.rateThreshold > 0, policy.rateThreshold <= 1
        else { return nil }
        let rounds = observation.rounds
        var positions: [Int] = []
        positions.reserveCapacity(policy.window)
        // Positions, not copies: three detectors build a window per host per poll.
        for position in rounds.indices.reversed() where rounds[position].hasExited {
            positions.append(position)
            if positions.count == policy.window { break }
        }
        guard positions.count == policy.window else { return nil }
        all = rounds
        self.positions = positions.reversed()
        size = policy.window
        threshold = policy.rateThreshold
    }

    /// How many of the window's rounds satisfy `predicate`.
    func count(where predicate: (RoundSummary) -> Bool) -> Int {
        var matches = 0
        for position in positions where predicate(all[position]) { matches += 1 }
        return matches
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
