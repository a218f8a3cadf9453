import FleetCore

extension Upgrader {
    /// Which path an upgrade takes, and for package-only why and what the operator runs next.
    struct ChosenPath: Equatable {
        var path: Path
        var reason: String
        var hint: String

        static func orchestrated(_ path: Path) -> ChosenPath {
            ChosenPath(path: path, reason: "", hint: "")
        }
    }

    /// Orchestrated only when this agent-runner runs the supervisor now: a user unit that is
    /// active (and starts bin_link), or a live pid-file serve. A stopped service stays stopped.
    func choosePath(noRestart: Bool) -> ChosenPath {
        guard let config, let controller else {
            return ChosenPath(
                path: .packageOnly, reason: "no agent-runner.toml here",
                hint: "restart your supervisor to load it "
                    + "(pass --config to let agent-runner restart it for you)")
        }
        let paths = controller.paths
        let state = controller.detector.detect()
        if state.systemManaged {
            return ChosenPath(
                path: .packageOnly, reason: "\(paths.serveUnitName) is a system unit",
                hint: "restart it to load the new build: sudo systemctl restart \(paths.serveUnitName)")
        }
        switch state.mode {
        case .systemdUser where state.active:
            if !unitStartsBinLink(paths) {
                return ChosenPath(
                    path: .packageOnly, reason: "\(paths.serveUnitName) does not start \(store.binLink)",
                    hint: "point the unit at it and restart: "
                        + "agent-runner install --force --config \(config.configPath)")
            }
            if noRestart {
                return ChosenPath(
                    path: .packageOnly, reason: "--no-restart",
                    hint: "restart to load it: systemctl --user restart \(paths.serveUnitName)")
            }
            return .orchestrated(.systemdUser)
        case .pidFile where state.servePID != nil:
            if noRestart {
                return ChosenPath(
                    path: .packageOnly, reason: "--no-restart",
                    hint: "restart to load it: agent-runner restart --config \(config.configPath)")
            }
            return .orchestrated(.pidFile)
        default:
            return ChosenPath(
                path: .packageOnly, reason: "the service is not running",
                hint: "nothing was restarted; 'agent-runner start' runs the new build")
        }
    }

    /// Whether the user unit's ExecStart runs bin_link: only then does switching the link
    /// upgrade the service.
    private func unitStartsBinLink(_ paths: ServicePaths) -> Bool {
        let bytes = (try? effects.fileSystem.readFile(paths.userUnitPath)) ?? []
        let execStart = "ExecStart=\(UnitFile.commandLine([store.binLink])) "
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n").contains { $0.hasPrefix(execStart) }
    }
}
