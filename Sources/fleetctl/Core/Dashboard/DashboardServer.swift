import FleetCore
import Synchronization

/// `fleetctl watch --http ADDRESS:PORT`: the fleet dashboard, served on its own threads from
/// ``DashboardState`` (which the watch loop keeps current), so serving a page never delays a
/// poll. Read-only: every route is a GET of a page, a script, a stylesheet or a JSON document;
/// nothing on it changes a host (the server refuses other methods before any route runs).
public final class DashboardServer: Sendable {
    /// Threads answering requests: a transcript fetch (an ssh call, seconds) must not hold up
    /// the overview's refreshes.
    public static let workers = 4

    public let port: Int
    public let address: String
    private let serving: HTTPServing

    /// What the routes read: the model, the wall clock, the rollout journals, the transcripts.
    public struct Sources: Sendable {
        public var state: DashboardState
        public var now: @Sendable () -> UTCInstant
        /// The state directory's rollout journals (read at most every 2 s).
        public var journals: @Sendable () -> [RolloutJournal]
        public var transcripts: DashboardTranscripts
        /// How often the pages fetch new data.
        public var refreshMS: Int
        /// Shown in the header (the inventory's file name, the demo's folder).
        public var fleetName: String

        public init(
            state: DashboardState, now: @escaping @Sendable () -> UTCInstant,
            journals: @escaping @Sendable () -> [RolloutJournal], transcripts: DashboardTranscripts, refreshMS: Int,
            fleetName: String
        ) {
            self.state = state
            self.now = now
            self.journals = journals
            self.transcripts = transcripts
            self.refreshMS = refreshMS
            self.fleetName = fleetName
        }
    }

    /// Listens at once (a busy port fails the command before any poll) and serves on a thread.
    public init(
        address: String, port: Int, allowedHosts: [HTTPHostCheck.Entry] = [], sources: Sources
    ) throws(HTTPServerError) {
        let server = try HTTPServer.listen(address: address, port: port, flag: "--http", allowedHosts: allowedHosts)
        self.port = server.port
        self.address = address
        let routes = DashboardRoutes(sources: sources)
        serving = server.start(workers: Self.workers) { request in routes.respond(to: request) }
    }

    /// The overview's URL.
    public var url: String { "http://\(address):\(port)/" }

    /// Stops serving (within ~200 ms, after the requests being answered) and waits.
    public func stop() {
        serving.stop()
    }

    /// Whether `address` is a loopback address (127.0.0.0/8): anything else exposes the fleet's
    /// state to the network and needs `--http-allow-remote`.
    public static func isLoopback(_ address: String) -> Bool {
        HTTPHostCheck.isLoopback(address)
    }
}

/// The dashboard's routes: path → response, over the model as it is at the request.
final class DashboardRoutes: Sendable {
    /// How old a served `/api/state` may be (see ``DashboardState/stateDocument(now:maxAgeS:_:)``).
    static let stateMaxAgeS = 0.5
    /// How long after a host page's last fetch the host's polls keep its rounds and events.
    static let detailsKeptS = 120.0

    let sources: DashboardServer.Sources
    private let journalsReadAt = Mutex<Double>(-.infinity)

    init(sources: DashboardServer.Sources) {
        self.sources = sources
    }

    func respond(to request: HTTPRequest) -> HTTPServerResponse {
        let now = sources.now()
        switch DashboardPaths.route(request.path) {
        case .overview:
            return .html(DashboardPage.overview(fleetName: sources.fleetName, now: now, refreshMS: sources.refreshMS))
        case .style:
            return .css(PageStyle.css)
        case .script:
            return .javascript(DashboardScript.source)
        case .favicon:
            return HTTPServerResponse(status: 204, reason: "No Content", body: "")
        case .state:
            refreshRollout(now: now)
            return .json(
                sources.state.stateDocument(now: Seconds.epoch(now), maxAgeS: Self.stateMaxAgeS) { model in
                    JSONWriter(style: .compact).encode(
                        DashboardDocument.state(model, now: now, refreshMS: sources.refreshMS))
                })
        case .hostPage(let name):
            guard sources.state.snapshot().host(name) != nil else { return unknownHost(name) }
            sources.state.keepDetails(of: name, until: Seconds.epoch(now) + Self.detailsKeptS)
            return .html(DashboardPage.host(name, fleetName: sources.fleetName, now: now))
        case .hostState(let name):
            sources.state.keepDetails(of: name, until: Seconds.epoch(now) + Self.detailsKeptS)
            guard let host = sources.state.snapshot().host(name) else { return unknownHost(name) }
            return .json(
                JSONWriter(style: .compact).encode(
                    DashboardDocument.host(host, now: now, refreshMS: sources.refreshMS)))
        case .transcript(let name):
            guard sources.state.snapshot().host(name) != nil else { return unknownHost(name) }
            return .json(JSONWriter(style: .compact).encode(sources.transcripts.tail(of: name).json))
        case .notFound:
            return .notFound(tryPaths: "/ (the overview), /host/NAME or /api/state")
        }
    }

    private func unknownHost(_ name: String) -> HTTPServerResponse {
        HTTPServerResponse(
            status: 404, reason: "Not Found",
            body: "no watched host is named '\(TerminalText.sanitize(name))'; the overview at / lists them\n")
    }

    /// Re-reads the rollout journals at most every 2 s (a request for the state does it).
    private func refreshRollout(now: UTCInstant) {
        let time = Seconds.epoch(now)
        let due = journalsReadAt.withLock { last in
            guard time - last >= 2 else { return false }
            last = time
            return true
        }
        guard due else { return }
        sources.state.setRollout(DashboardRollout.current(sources.journals(), now: now))
    }
}
