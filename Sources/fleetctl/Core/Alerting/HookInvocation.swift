import FleetCore
import Monitoring

/// Exactly what runs for one hook and one notification: argv, environment and stdin, as
/// values (tests compare them without running anything).
///
/// No shell is involved: argv goes to `posix_spawnp` as is. A word that is exactly a
/// placeholder (`{host}`) becomes that value as one argument; the inventory loader refuses
/// placeholders inside longer words and as a `-c` script, so nothing a host reports (a
/// message, a detector context) can turn into shell code or extra arguments.
public struct HookInvocation: Sendable, Equatable {
    public var hook: String
    public var argv: [String]
    /// Added to fleetctl's own environment.
    public var environment: [String: String]
    /// The notification as one JSON object and a newline.
    public var stdin: [UInt8]
    public var timeout: Duration

    public init(hook: Inventory.AlertHook, notification: AlertNotification) {
        self.hook = hook.name
        let values = [
            "{host}": notification.host, "{detector}": notification.alert.detector,
            "{severity}": notification.alert.severity.rawValue, "{state}": notification.state.rawValue,
            "{message}": notification.alert.messageWithHint, "{hint}": notification.alert.hint ?? "",
        ]
        argv = hook.command.map { values[$0] ?? $0 }
        environment = [
            "FLEET_HOST": notification.host,
            "FLEET_DETECTOR": notification.alert.detector,
            "FLEET_SEVERITY": notification.alert.severity.rawValue,
            "FLEET_STATE": notification.state.rawValue,
            "FLEET_REPEAT": notification.isRepeat ? "1" : "0",
            "FLEET_MESSAGE": Self.environmentSafe(notification.alert.messageWithHint),
            "FLEET_HINT": Self.environmentSafe(notification.alert.hint ?? ""),
            "FLEET_SINCE": EventTimestamp.format(notification.since),
            "FLEET_KEY": Self.environmentSafe(notification.alert.key),
            "FLEET_AUTO_ACTION": notification.autoAction,
            "FLEET_HOOK": hook.name,
        ]
        stdin = JSONWriter(style: .compact).encode(.object(notification.json())) + [UInt8(ascii: "\n")]
        timeout = .seconds(hook.timeoutS)
    }

    /// Environment values cannot hold NUL; other control characters are replaced too so a
    /// hook that logs `$FLEET_MESSAGE` cannot be fed terminal escapes.
    static func environmentSafe(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : $0 }))
    }
}

/// Which hooks run for a notification: state, severity and detector filters, `min_severity`,
/// and the hook's host selector (resolved once against the inventory).
public struct HookRoute: Sendable, Equatable {
    public var hook: Inventory.AlertHook
    /// Hosts the hook's `hosts` selector names.
    public var hosts: Set<String>

    public init(hook: Inventory.AlertHook, hosts: Set<String>) {
        self.hook = hook
        self.hosts = hosts
    }

    /// Routes for every command hook of `inventory` (Alertmanager hooks: ``alertmanagerRoutes(for:)``).
    public static func routes(for inventory: Inventory) -> [HookRoute] {
        allRoutes(for: inventory).filter { $0.hook.alertmanagerURL == nil }
    }

    /// Routes for the `kind = "alertmanager"` hooks of `inventory`.
    public static func alertmanagerRoutes(for inventory: Inventory) -> [HookRoute] {
        allRoutes(for: inventory).filter { $0.hook.alertmanagerURL != nil }
    }

    private static func allRoutes(for inventory: Inventory) -> [HookRoute] {
        inventory.hooks.map { hook in
            let hosts = (try? HostSelector.select(hook.hosts, from: inventory).map(\.name)) ?? []
            return HookRoute(hook: hook, hosts: Set(hosts))
        }
    }

    public func matches(_ notification: AlertNotification) -> Bool {
        let state: Inventory.HookEvent = notification.state == .firing ? .firing : .resolved
        let severity = notification.alert.severity
        return hosts.contains(notification.host)
            && (hook.on.isEmpty || hook.on.contains(state))
            && (hook.detectors.isEmpty || hook.detectors.contains(notification.alert.detector))
            && (hook.severities.isEmpty || hook.severities.contains(severity))
            && severity >= hook.minSeverity
    }
}
