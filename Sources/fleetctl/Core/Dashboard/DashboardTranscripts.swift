import FleetCore
import Monitoring
import SSHTransport
import Synchronization

/// The transcript tail of a host's latest round, fetched when a page asks for it: one
/// `agent-runner peek --json --round latest --log` over the watch's own transport (its
/// ControlMaster, when reused), never in the poll loop.
///
/// At most one fetch per host runs at a time and an answer is reused for ``reuseS`` seconds,
/// so a page left open (or many viewers) costs a host one extra ssh call per few seconds at
/// most, whatever the clicks.
public final class DashboardTranscripts: Sendable {
    public static let reuseS: Double = 5

    /// What a fetch gave.
    public struct Tail: Sendable, Equatable {
        public var round: Int?
        public var text: String?
        public var error: String?
        public var fetchedAt: Double

        public init(round: Int? = nil, text: String? = nil, error: String? = nil, fetchedAt: Double) {
            self.round = round
            self.text = text
            self.error = error
            self.fetchedAt = fetchedAt
        }
    }

    private let fetch: @Sendable (String) -> Tail
    private let now: @Sendable () -> Double
    private let cache = Mutex<[String: Tail]>([:])
    private let running = Mutex<Set<String>>([])

    /// `fetch` reads one host's tail (blocking, bounded by its own deadline); `now` is Unix seconds.
    public init(now: @escaping @Sendable () -> Double, fetch: @escaping @Sendable (String) -> Tail) {
        self.fetch = fetch
        self.now = now
    }

    /// The host's tail: a fresh cached one, else a new fetch; while another request fetches
    /// the same host, the cached (possibly stale) one or a "fetching" error.
    public func tail(of host: String) -> Tail {
        let time = now()
        if let cached = cache.withLock({ $0[host] }), time - cached.fetchedAt < Self.reuseS { return cached }
        let mine = running.withLock { $0.insert(host).inserted }
        guard mine else {
            return cache.withLock { $0[host] }
                ?? Tail(
                    error: "a fetch of this host's transcript is already running; try again in a moment",
                    fetchedAt: time)
        }
        defer { _ = running.withLock { $0.remove(host) } }
        let tail = fetch(host)
        cache.withLock { $0[host] = tail }
        return tail
    }

    /// A fetcher over `remote` for the watched `targets`.
    public static func remote(
        _ remote: any RemoteExecutor, targets: [PollTarget], now: @escaping @Sendable () -> Double
    ) -> DashboardTranscripts {
        let byName = Dictionary(targets.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        return DashboardTranscripts(now: now) { host in
            guard let target = byName[host] else {
                return Tail(error: "\(host) is not watched", fetchedAt: now())
            }
            let argv = AgentRunnerCommand.verb(
                ["peek", "--json", "--events", "0", "--round", "latest", "--log"], target.settings)
            let result = remote.runJSON(
                host: target.remote, argv: argv, deadline: .now + target.pollTimeout)
            guard let document = result.document else {
                return Tail(
                    error: result.result.errorMessage ?? "\(host): peek printed no JSON document", fetchedAt: now())
            }
            let current = document["current_round"]
            let round = current?["round_num"]?.intValue.map { Int($0) }
            guard let text = current?["log_tail"]?.stringValue else {
                return Tail(
                    round: round,
                    error:
                        "\(host): peek has no log_tail for the latest round (an agent-runner without --log, or no round yet)",
                    fetchedAt: now())
            }
            return Tail(round: round, text: text, fetchedAt: now())
        }
    }
}

extension DashboardTranscripts.Tail {
    /// `{round, text, error, fetched_text}`.
    public var json: JSONValue {
        .object([
            "round": round.map { .int(Int64($0)) } ?? .null,
            "text": text.map { .string($0) } ?? .null,
            "error": error.map { .string($0) } ?? .null,
            "fetched_text": .string(HumanText.time(epochSeconds: fetchedAt)),
        ])
    }
}
