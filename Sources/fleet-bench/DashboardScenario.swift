import FleetControl
import FleetCore
import HeadlessBrowser
import Monitoring
import SSHTransport
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// `dashboard`: the fleet dashboard over 1,000 hosts, in process, with the transport answering
/// from memory (so the figures are the dashboard's and the loop's, not ssh's), the loop polling
/// flat out (every host re-polled as soon as the loop allows: CPU-bound on both cores, so any
/// CPU the dashboard takes shows as a longer cycle):
///
/// - the watch loop's cycle time (every host polled once) without the dashboard, with it open
///   (the loop's reports feeding it and one page's fetch of `/api/state` every second: what the
///   server sees of an open page), with a real chromium page open on this same machine, and
///   under a stress of 10 more viewers fetching 10 times a second each; in rotation, so a drift
///   of the machine hits all alike;
/// - `/api/state` latency under that stress, over real HTTP;
/// - the overview's render time in headless chromium: navigation start to 1,000 rows in the
///   DOM (the page's own fetch of `/api/state` and its rendering included).
enum DashboardScenario {
    static let hosts = 1_000
    static let cycles = 20

    static func run(rounds: Int) {
        let documents = (0..<4).map { JSONWriter(style: .compact).encode(DetectorsScenario.document(kind: $0)) }
        let transport = MemoryTransport(documents: documents)
        let watched = MemoryTransport.hosts(hosts)
        let state = DashboardState(
            DashboardModel(
                hosts: watched.map {
                    DashboardHost(
                        name: $0.name, groups: [["edge", "lab", "prod"][$0.name.count % 3]], pollIntervalS: 30)
                }))
        let sources = DashboardServer.Sources(
            state: state, now: { SystemClock().now() }, journals: { [] },
            transcripts: DashboardTranscripts(now: { 0 }) { _ in .init(error: "not in this benchmark", fetchedAt: 0) },
            refreshMS: 1000, fleetName: "fleet-bench dashboard")
        let server: DashboardServer
        do {
            server = try DashboardServer(address: "127.0.0.1", port: 0, sources: sources)
        } catch {
            Bench.fail("dashboard: \(error)")
        }
        defer { server.stop() }
        let browser: HeadlessBrowser
        do {
            browser = try HeadlessBrowser.launch(windowWidth: 1280, windowHeight: 900)
        } catch {
            Bench.fail("dashboard: \(error)")
        }
        defer { browser.close() }

        /// How the dashboard is used during a run of the loop.
        struct Use {
            var label: String
            /// The loop's reports feed the dashboard (`--http` given).
            var record = true
            /// Viewers fetching `/api/state`, and the pause between two fetches of one viewer.
            var viewers = 0
            var everyMS = 1000
            /// A chromium page open on the overview, on this machine (refreshing every second).
            var page = false
        }

        /// One run of the loop: ms per cycle, and the /api/state latencies measured meanwhile.
        func loop(_ use: Use) -> (cycleMS: Double, latencies: [Double]) {
            let watcher = WatchLoop(
                hosts: watched, remote: transport, effects: .live(),
                options: WatchLoop.Options(cycles: cycles, dryRun: true, parallel: 2, jitter: 0, autoStopLimit: 3),
                report: { report in if use.record { state.record(report) } })
            let done = Mutex(false)
            let elapsed = Mutex(0.0)
            let thread = WorkerPool(threads: 1)
            let page = use.page ? try? browser.open(server.url) : nil
            thread.submit {
                let started = ContinuousClock.now
                watcher.run { false }
                elapsed.withLock { $0 = Bench.seconds(ContinuousClock.now - started) }
                done.withLock { $0 = true }
            }
            var latencies: [Double] = []
            if use.viewers > 0 {
                let client = HTTPClient(timeoutS: 10, maxBodyBytes: 64 << 20)
                let pause = UInt32(use.everyMS * 1000 / use.viewers)
                while !done.withLock({ $0 }) {
                    let started = ContinuousClock.now
                    guard let response = try? client.get(server.url + "api/state"), response.status == 200 else {
                        Bench.fail("dashboard: /api/state failed while the loop ran")
                    }
                    latencies.append(Bench.seconds(ContinuousClock.now - started) * 1000)
                    usleep(pause)
                }
            }
            thread.shutdown()
            page?.close()
            return (elapsed.withLock { $0 } * 1000 / Double(cycles), latencies)
        }

        let uses = [
            Use(label: "without the dashboard", record: false),
            Use(label: "dashboard open (its reports, and one page's fetch of /api/state every second)", viewers: 1),
            Use(label: "dashboard open in chromium on this same machine", page: true),
            Use(
                label: "stress: 10 viewers, 10 fetches a second each, plus the chromium page", viewers: 10,
                everyMS: 100,
                page: true),
        ]
        _ = loop(uses[0])  // warm-up: page cache, allocator
        var cycleMS = Array(repeating: [Double](), count: uses.count)
        var latencies: [Double] = []
        for _ in 0..<max(3, min(rounds, 5)) {
            for (index, use) in uses.enumerated() {
                let run = loop(use)
                cycleMS[index].append(run.cycleMS)
                if index == uses.count - 1 { latencies += run.latencies }
            }
        }
        let bytes = (try? HTTPClient(maxBodyBytes: 64 << 20).get(server.url + "api/state"))?.body.count ?? 0
        Bench.say("dashboard: \(hosts) hosts, memory transport, the loop polling flat out, chromium \(browser.version)")
        Bench.say(
            "dashboard: /api/state (\(format(Double(bytes) / 1024)) KiB) while the loop runs, under the stress: \(Statistics(values: latencies).line(unit: "ms")), p95 \(format(percentile(latencies, 0.95))) ms"
        )
        let base = Statistics(values: cycleMS[0]).median
        for (index, use) in uses.enumerated() {
            let stats = Statistics(values: cycleMS[index])
            let change = index == 0 ? "" : "; \(format((stats.median / base - 1) * 100))% vs without"
            Bench.say("dashboard: watch loop cycle, \(use.label): \(stats.line(unit: "ms/cycle"))\(change)")
        }

        var renders: [Double] = []
        do {
            let page = try browser.open(server.url)
            defer { page.close() }
            for _ in 0..<max(5, min(rounds, 15)) {
                renders.append(
                    try page.millisecondsUntil(
                        "document.querySelectorAll('#hosts tbody tr').length >= \(hosts)", afterNavigatingTo: server.url
                    )
                )
            }
        } catch {
            Bench.fail("dashboard: render: \(error)")
        }
        Bench.say(
            "dashboard: overview of \(hosts) hosts, navigation start to \(hosts) rows in the DOM: \(Statistics(values: renders).line(unit: "ms"))"
        )
    }

    /// The value below which `fraction` of `values` lie (nearest rank).
    static func percentile(_ values: [Double], _ fraction: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * fraction).rounded(.up)) - 1)]
    }
}
