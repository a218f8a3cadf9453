// swift-tools-version:6.0
//
// One package, two programs: `agent-runner` (one per host, a restart-on-exit supervisor for AI
// coding CLIs) and `fleetctl` (run from an operator machine, watches and steers many hosts over
// the system ssh). No package dependencies by design: the standard library, Glibc, Dispatch and
// Synchronization only, so the static binaries stay small and start fast.
//
// The target graph is the architecture (docs/architecture.md); nothing imports upward:
//
//   agent-runner ─▶ AgentRunnerCore ─▶ Detectors ─▶ FleetCore
//        └────────▶ Monitoring ─▶ SSHTransport ─▶ FleetCore
//   fleetctl ─▶ FleetControl ─▶ Monitoring
//   fleet-bench and the tests ─▶ HeadlessBrowser ─▶ FleetCore
//
// `agent-runner` links no FleetControl code: `swift build --product agent-runner` compiles none.
import PackageDescription

let strict: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

let package = Package(
    name: "agent-fleet",
    products: [
        .executable(name: "agent-runner", targets: ["agent-runner"]),
        .executable(name: "fleetctl", targets: ["fleetctl"]),
        .library(name: "FleetCore", targets: ["FleetCore"]),
    ],
    targets: [
        // Foundations with no domain: TOML, JSON, CLI, files, processes, event-log mechanics,
        // HTTP, Prometheus text, SHA-256, release sources (SHA256SUMS, shared by both programs'
        // upgrades), and the effects (clock, sleeper, runner, file system).
        .target(name: "FleetCore", swiftSettings: strict),
        // Pure decisions over a host observation: detectors, alert episodes, ssh tolerance.
        .target(name: "Detectors", dependencies: ["FleetCore"], swiftSettings: strict),
        // The system ssh as a transport; plain options, no inventory.
        .target(name: "SSHTransport", dependencies: ["FleetCore"], swiftSettings: strict),
        // Watching remote hosts, shared by both programs: poller, per-host monitor, watch loop,
        // auto-stop, metric families.
        .target(name: "Monitoring", dependencies: ["FleetCore", "Detectors", "SSHTransport"], swiftSettings: strict),
        // The supervisor: config model, round, restart loop, lifecycle, upgrade, observation.
        .target(
            name: "AgentRunnerCore",
            dependencies: ["FleetCore", "Detectors"],
            path: "Sources/agent-runner/Core",
            swiftSettings: strict
        ),
        // The operator side only: inventory, fleet verbs, hooks, silences, Alertmanager,
        // rollouts, demo.
        .target(
            name: "FleetControl",
            dependencies: ["FleetCore", "Detectors", "SSHTransport", "Monitoring"],
            path: "Sources/fleetctl/Core",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "agent-runner",
            dependencies: ["FleetCore", "Detectors", "AgentRunnerCore", "SSHTransport", "Monitoring"],
            path: "Sources/agent-runner/CLI",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "fleetctl",
            dependencies: ["FleetCore", "Detectors", "SSHTransport", "Monitoring", "FleetControl"],
            path: "Sources/fleetctl/CLI",
            swiftSettings: strict
        ),
        // A real headless chromium driven over the DevTools pipe, for the dashboard's end-to-end
        // tests and fleet-bench's render timing. Linked by those only, never by agent-runner or
        // fleetctl; not in TestSupport, which imports XCTest and cannot go into a release binary.
        .target(name: "HeadlessBrowser", dependencies: ["FleetCore"], swiftSettings: strict),
        // Benchmarks: `swift build -c release && swift run -c release fleet-bench [SCENARIO]`.
        .executableTarget(
            name: "fleet-bench",
            dependencies: [
                "FleetCore", "Detectors", "SSHTransport", "Monitoring", "FleetControl", "AgentRunnerCore",
                "HeadlessBrowser",
            ],
            swiftSettings: strict
        ),
        // Fixtures every test target may use: a private sshd on loopback, test users, fakes of
        // the effects that fail loudly when a test did not set them up.
        .target(
            name: "TestSupport",
            dependencies: ["FleetCore", "Detectors", "SSHTransport"],
            path: "Tests/TestSupport"
        ),
        .testTarget(name: "FleetCoreTests", dependencies: ["FleetCore", "TestSupport"]),
        .testTarget(name: "DetectorsTests", dependencies: ["Detectors", "FleetCore"]),
        // Real chromium, never stubbed; fails with the install command when it is missing.
        .testTarget(name: "HeadlessBrowserTests", dependencies: ["HeadlessBrowser", "FleetCore", "TestSupport"]),
        .testTarget(name: "SSHTransportTests", dependencies: ["SSHTransport", "FleetCore", "TestSupport"]),
        .testTarget(
            name: "MonitoringTests",
            dependencies: ["Monitoring", "Detectors", "SSHTransport", "FleetCore", "TestSupport"]
        ),
        .testTarget(
            name: "AgentRunnerCoreTests",
            dependencies: ["AgentRunnerCore", "FleetCore", "Detectors", "TestSupport"],
            // Recorded agent output the tests read by path (#filePath).
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "FleetControlTests",
            dependencies: ["FleetControl", "Monitoring", "Detectors", "SSHTransport", "FleetCore", "TestSupport"]
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "FleetCore", "Detectors", "AgentRunnerCore", "FleetControl", "Monitoring", "TestSupport",
                "HeadlessBrowser",
            ],
            // Scripts the tests install by path (#filePath), not resources.
            exclude: ["Fixtures"]
        ),
        // fleet-bench's pure parts (cycle reduction, cost model, SVG plot, /proc parsing).
        .testTarget(name: "FleetBenchTests", dependencies: ["fleet-bench", "FleetCore"]),
    ]
)
