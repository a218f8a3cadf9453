import FleetCore
import SSHTransport

/// What `fleetctl demo` tells the operator on stderr, around the live watch on stdout: what each
/// host will do, where its files are, and what to look at afterwards.
public enum DemoNarration {
    /// The projects and what each demo agent does.
    public static func introduction(_ fleet: DemoFleet, hosts: Int) -> String {
        var text = "fleetctl demo: \(hosts) agent-runner projects in \(fleet.root)\n"
        for entry in DemoFleet.behaviours {
            text += "  \(padded(entry.name, to: 10)) \(entry.description)\n"
        }
        return text
    }

    /// Where the inventory and hook log are, how the hosts are reached, and that watching begins.
    public static func watching(_ fleet: DemoFleet, ssh: LoopbackSSHServer?) -> String {
        var text = "  inventory: \(fleet.inventoryPath); hook log: \(fleet.hookLog)\n"
        if let ssh { text += "  transport: ssh to 127.0.0.1:\(ssh.port) (client config \(ssh.clientConfig))\n" }
        return text + "  watching (Ctrl-C to stop everything)...\n\n"
    }

    /// The wrap-up: services being stopped, what the hook received, and commands to explore with.
    public static func closing(_ fleet: DemoFleet, services: Int, hookLines: String) -> String {
        var text = "\nfleetctl demo: stopping \(services) agent-runner services...\n"
        if !hookLines.isEmpty { text += "hook notifications (\(fleet.hookLog)):\n" + hookLines }
        return text
            + "explore: agent-runner peek --config \(fleet.root)/throttled/agent-runner.toml\n"
            + "         agent-runner events --config \(fleet.root)/authfail/agent-runner.toml"
            + " --kind agent_auth_error_detected,monitor_auto_stop_triggered\n"
            + "         fleetctl check -i \(fleet.inventoryPath)\n"
    }

    /// `text` left-aligned in a column of `width` characters.
    static func padded(_ text: String, to width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}
