/// One `type: poll` row of `fleetctl watch --json`: which host, when the bench read it (seconds
/// since the watch started) and the poll's own latency (`latency_ms`, ssh call included).
struct PollArrival: Equatable {
    var host: String
    var at: Double
    var latencyS: Double

    /// When the poll started, as far as the row tells.
    var startedAt: Double { at - latencyS }
}

/// A stretch of a watch: from `start` to `end`, holding answers of `hosts` distinct hosts.
struct WatchCycle: Equatable {
    var start: Double
    var end: Double
    var hosts: Int
    var duration: Double { end - start }
}

/// Cycles of a watch over many hosts, from its poll rows.
///
/// A warm cycle is the time in which the loop answers as many polls as there are hosts, once
/// every host has answered twice (its ControlMaster is up and it was polled through it). With
/// `poll_interval_s` at its 0.2 s floor every host is due again 0.2 s after its answer, and the
/// due queue serves the longest-waiting host first, so a busy loop goes round the fleet in turn:
/// a cycle is the time fleetctl needs to poll every host once. (Counting "the k-th poll of every
/// host" instead would not work: hosts connected late in the cold first cycle stay a cycle or
/// two behind the early ones for good.) A fleet too small to keep the loop busy waits for the
/// interval: its cycle is about 0.2 s plus one poll.
enum WatchCycles {
    /// When every host had answered at least `count` polls (the slowest host's `count`-th answer).
    static func answeredByAll(_ arrivals: [PollArrival], count: Int) -> Double? {
        var answers: [String: [Double]] = [:]
        for arrival in arrivals { answers[arrival.host, default: []].append(arrival.at) }
        var latest: Double?
        for times in answers.values {
            guard times.count >= count else { return nil }
            let at = times.sorted()[count - 1]
            latest = max(latest ?? at, at)
        }
        return latest
    }

    /// The `k`-th poll (1-based) of every host, from the earliest start to the last answer; nil
    /// unless every host answered `k` times. Round 1 is the cold first cycle; at a long interval,
    /// where the rounds do not overlap, a round shows how the polls spread over the interval.
    static func round(_ k: Int, of arrivals: [PollArrival]) -> WatchCycle? {
        var byHost: [String: [PollArrival]] = [:]
        for arrival in arrivals { byHost[arrival.host, default: []].append(arrival) }
        var polls: [PollArrival] = []
        for answers in byHost.values {
            guard answers.count >= k else { return nil }
            polls.append(answers.sorted { $0.at < $1.at }[k - 1])
        }
        guard let start = polls.map(\.startedAt).min(), let end = polls.map(\.at).max() else { return nil }
        return WatchCycle(start: start, end: end, hosts: polls.count)
    }

    /// When the first host had answered its last poll: with `--cycles` it is not polled again,
    /// and from then on fewer hosts share the loop.
    static func firstFinished(_ arrivals: [PollArrival]) -> Double? {
        var last: [String: Double] = [:]
        for arrival in arrivals { last[arrival.host] = max(last[arrival.host] ?? arrival.at, arrival.at) }
        return last.values.min()
    }

    /// Consecutive runs of `hosts` answers between `from` and `to`: each from the answer before
    /// it to its last answer (an incomplete run at the end is left out).
    static func warm(_ arrivals: [PollArrival], hosts: Int, from: Double, to: Double) -> [WatchCycle] {
        guard hosts > 0 else { return [] }
        let answers = arrivals.filter { $0.at >= from && $0.at <= to }.sorted { $0.at < $1.at }
        var cycles: [WatchCycle] = []
        var first = 1
        while first + hosts - 1 < answers.count {
            let run = answers[first..<(first + hosts)]
            cycles.append(
                WatchCycle(start: answers[first - 1].at, end: run.last?.at ?? 0, hosts: Set(run.map(\.host)).count))
            first += hosts
        }
        return cycles
    }
}
