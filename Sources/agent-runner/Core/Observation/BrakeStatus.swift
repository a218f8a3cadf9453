import FleetCore

extension MemoryHighBrake.Status {
    /// peek's `brake`, resolved for the running serve's cgroup (peek itself runs elsewhere, in
    /// an ssh session or a shell): `off` without a probe when the brake is not configured; the
    /// serve named by `serve.pid`, else this process, when it is.
    public static func current(config: AgentRunnerConfig, reader: MemoryReader = MemoryReader()) -> Self {
        guard config.monitor.hostHealth.brakeMemoryHigh else { return .off }
        let serve = (try? PidFile(path: config.runtime.logDir + "/serve.pid").runningPID()) ?? nil
        let location = reader.locateCgroup(pid: serve)
        return resolve(
            enabled: true, cgroup: location?.version,
            memoryHighWritable: location.map { reader.isMemoryHighWritable(CgroupMemoryFiles($0)) } ?? false)
    }
}
