import FleetCore
import Monitoring
import SSHTransport

/// The dashboard as `fleetctl watch --http` and `fleetctl demo` run it: the model for the
/// watched hosts (groups from the inventory), fed by the loop's reports, served on its own
/// threads, with rollouts read from the state directory's journals and transcripts fetched over
/// the watch's own transport.
public final class FleetDashboard: Sendable {
    public let state: DashboardState
    public let server: DashboardServer

    private init(state: DashboardState, server: DashboardServer) {
        self.state = state
        self.server = server
    }

    /// Listens at once (a busy port fails before any poll) and serves.
    public static func start(
        address: String, port: Int, hosts: [MonitoredHost], inventory: Inventory, stateDir: String,
        remote: any RemoteExecutor, wallClock: any WallClock, fleetName: String,
        allowedHosts: [HTTPHostCheck.Entry] = []
    ) throws(HTTPServerError) -> FleetDashboard {
        let groups = Dictionary(inventory.hosts.map { ($0.name, $0.groups) }, uniquingKeysWith: { first, _ in first })
        let model = DashboardModel(
            hosts: hosts.map {
                DashboardHost(
                    name: $0.name, groups: groups[$0.name] ?? [], pollIntervalS: $0.target.settings.pollIntervalS)
            })
        let state = DashboardState(model)
        let journals = RolloutJournalStore(stateDirectory: stateDir)
        let now: @Sendable () -> Double = { Seconds.epoch(wallClock.now()) }
        let sources = DashboardServer.Sources(
            state: state, now: { wallClock.now() }, journals: { journals.list() },
            transcripts: .remote(remote, targets: hosts.map(\.target), now: now),
            refreshMS: refreshMS(hosts), fleetName: fleetName)
        let server = try DashboardServer(address: address, port: port, allowedHosts: allowedHosts, sources: sources)
        return FleetDashboard(state: state, server: server)
    }

    /// The pages refresh as often as the most frequently polled host, between 1 and 30 s:
    /// faster shows nothing new, slower hides a change for longer than a poll.
    public static func refreshMS(_ hosts: [MonitoredHost]) -> Int {
        let fastest = hosts.map(\.target.settings.pollIntervalS).min() ?? 5
        return Int((min(30, max(1, fastest)) * 1000).rounded())
    }

    /// Feeds a watch report (the loop's thread).
    public func record(_ report: WatchReport) {
        state.record(report)
    }

    public var url: String { server.url }

    public func stop() {
        server.stop()
    }
}
