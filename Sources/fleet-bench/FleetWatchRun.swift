import FleetCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// One real `fleetctl watch --json --cycles N` over a ``LoopbackFleet``, observed from outside
/// as an operator's machine would see it: each poll row timestamped as it arrives on the pipe,
/// and every `sampleEvery` the CPU time, memory, descriptors and processes of fleetctl, of its
/// ssh clients (the mux clients it runs and reaps, and the daemonized ControlMasters, found by
/// their process title) and of the sshd side (the listeners and everything under them).
struct FleetWatchRun {
    /// One look at the processes, `at` seconds after fleetctl started.
    struct Sample: Equatable {
        var at: Double
        /// CPU seconds so far: fleetctl's own, and that of the children it reaped (its `ssh` mux
        /// clients).
        var fleetctlCPU: Double
        var clientCPU: Double
        var fleetctlRSSKiB: Int
        var fleetctlDescriptors: Int
        /// Live children of fleetctl (mux clients, one per poll in flight, each alive for a few
        /// milliseconds of its poll).
        var children: Int
        /// Children that should not be there: exited but not reaped (zombies), or older than a
        /// minute (a poll's deadline is 20 s, after which its process group is killed).
        var strayChildren: Int
        var masters: Int
        var masterCPU: Double
        var masterRSSKiB: Int
        /// sshd listeners and all their descendants: the loopback "hosts".
        var sshdCPU: Double
        /// This bench process: the cost of watching.
        var benchCPU: Double
        /// Disk used by fleetctl's state directory (watch state, fleet event log, silences).
        var stateBytes = 0

        /// Processes on the operator side: fleetctl, its children, its ControlMasters.
        var operatorProcesses: Int { 1 + children + masters }
        /// The ones that stay: fleetctl, its masters, and stray children; a leak grows these.
        var lastingProcesses: Int { 1 + masters + strayChildren }
    }

    var arrivals: [PollArrival] = []
    /// Poll rows of hosts that could not be read (they should be none).
    var failedPolls = 0
    var samples: [Sample] = []
    /// Total PSS and descriptors of the ControlMasters, measured once when every host had one.
    var masterPSSKiB = 0
    var masterDescriptors = 0
    var masterCountAtPSS = 0
    var exit: ExitStatus = .terminated(0)
    var stderr = ""
    /// Masters still running after fleetctl exited (it closes its own): a leak if not zero.
    var leftoverMasters = 0
    /// Seconds from fleetctl's start to the end of its last cycle, and to its exit (closing masters).
    var lastAnswerAt = 0.0
    var exitedAt = 0.0

    static func run(
        fleet: LoopbackFleet, inventory: String, hosts: Int, cycles: Int, parallel: Int?, label: String,
        sampleEvery: Duration = .seconds(1)
    ) -> FleetWatchRun {
        let stateDirectory = fleet.directory + "/state-" + label
        let errorLog = fleet.directory + "/watch-\(label).stderr"
        var arguments = ["watch", "--json", "--cycles", String(cycles), "-i", inventory, "--state-dir", stateDirectory]
        if let parallel { arguments += ["--parallel", String(parallel)] }
        let process: RunningProcess
        let started = ContinuousClock.now
        do {
            process = try PosixProcessRunner().spawn(
                ProcessRequest(
                    Bench.binary("fleetctl"), arguments: arguments, environment: fleet.environment,
                    standardOutput: .pipe, standardError: .appendToFile(errorLog)))
        } catch {
            Bench.fail("cannot start fleetctl watch: \(error)")
        }
        guard let pipe = process.standardOutputPipe else { Bench.fail("fleetctl watch: no stdout pipe") }
        // The rows are timed when read: this thread must not wait behind the processes it watches
        // (fleetctl and ssh already run at the normal priority they were started with).
        setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, -10)
        defer { setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 0) }
        var run = FleetWatchRun()
        var pending: [UInt8] = []
        var nextSample = started
        var masterPIDs: [Int32: UInt64] = [:]  // pid → start time, once seen to be a master
        func elapsed() -> Double { Bench.seconds(ContinuousClock.now - started) }
        let hz = ProcessStat.ticksPerSecond
        let minuteTicks = UInt64(60 * hz)
        reading: while true {
            switch pipe.read(waitingUpTo: .milliseconds(20)) {
            case .bytes(let bytes):
                let at = elapsed()
                pending += bytes
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    if let (arrival, reachable) = Self.poll(row: pending[..<newline], at: at) {
                        run.arrivals.append(arrival)
                        if !reachable { run.failedPolls += 1 }
                    }
                    pending.removeSubrange(...newline)
                }
            case .nothingYet: break
            case .endOfFile: break reading
            }
            guard ContinuousClock.now >= nextSample else { continue }
            nextSample = ContinuousClock.now + sampleEvery
            let snapshot = ProcessStat.snapshot()
            guard let fleetctl = snapshot.first(where: { $0.pid == process.pid }), !fleetctl.isZombie else { continue }
            let masters = snapshot.filter { stat in
                guard stat.command == "ssh", !stat.isZombie else { return false }
                if masterPIDs[stat.pid] == stat.startTime { return true }
                // Only the title tells a master from a mux client (a master is forked from one).
                guard fleet.isControlMaster(stat.pid) else { return false }
                masterPIDs[stat.pid] = stat.startTime
                return true
            }
            let sshd = fleet.servers.compactMap(\.serverPID)
            let sshdSide =
                snapshot.filter { sshd.contains($0.pid) } + ProcessFamily.descendants(of: sshd, in: snapshot)
            let bench = snapshot.first { $0.pid == getpid() }
            let children = ProcessFamily.descendants(of: [process.pid], in: snapshot)
            let bootTicks = UInt64(ProcessStat.uptimeSeconds() * hz)
            run.samples.append(
                Sample(
                    at: elapsed(), fleetctlCPU: Double(fleetctl.ownTicks) / hz,
                    clientCPU: Double(fleetctl.reapedTicks) / hz,
                    fleetctlRSSKiB: fleetctl.rssKiB, fleetctlDescriptors: ProcessStat.openDescriptors(process.pid),
                    children: children.count,
                    strayChildren: snapshot.filter { $0.parent == process.pid && $0.isZombie }.count
                        + children.filter { $0.startTime + minuteTicks < bootTicks }.count,
                    masters: masters.count, masterCPU: masters.map(\.singleThreadedCPUSeconds).reduce(0, +),
                    masterRSSKiB: masters.map(\.rssKiB).reduce(0, +),
                    sshdCPU: sshdSide.map(\.singleThreadedCPUSeconds).reduce(0, +),
                    benchCPU: Double(bench?.ownTicks ?? 0) / hz, stateBytes: DiskUse.blocks(stateDirectory)))
            // Once every host has its master (and a few cycles ran), what they cost together.
            if run.masterCountAtPSS == 0 && masters.count == hosts && run.arrivals.count >= hosts * 3 {
                run.masterCountAtPSS = masters.count
                run.masterPSSKiB = masters.compactMap { ProcessStat.pssKiB($0.pid) }.reduce(0, +)
                run.masterDescriptors = masters.map { ProcessStat.openDescriptors($0.pid) }.reduce(0, +)
            }
        }
        run.lastAnswerAt = run.arrivals.last?.at ?? 0
        run.exit = process.wait()
        run.exitedAt = elapsed()
        run.stderr = String(decoding: (try? LocalFileSystem().readFile(errorLog, limit: 1 << 20)) ?? [], as: UTF8.self)
        run.leftoverMasters = fleet.stopLeftoverMasters()
        return run
    }

    /// A `type: poll` row's host and latency, and whether the host was read; nil for other rows.
    static func poll(row: ArraySlice<UInt8>, at: Double) -> (PollArrival, reachable: Bool)? {
        guard let value = try? JSONParser.strict.parse(Array(row)), value["type"]?.stringValue == "poll",
            let host = value["host"]?.stringValue, let latency = value["latency_ms"]?.doubleValue
        else { return nil }
        return (PollArrival(host: host, at: at, latencyS: latency / 1000), value["reachable"] == .bool(true))
    }
}
