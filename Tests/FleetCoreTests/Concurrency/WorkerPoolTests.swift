import FleetCore
import Synchronization
import XCTest

final class WorkerPoolTests: XCTestCase {
    func testJobsRunOnThePoolsThreadsAndShutdownWaitsForThem() {
        let pool = WorkerPool(threads: 3)
        let done = Mutex(0)
        for _ in 0..<50 {
            XCTAssertTrue(pool.submit { done.withLock { $0 += 1 } })
        }
        pool.shutdown()
        XCTAssertEqual(done.withLock { $0 }, 50)
        XCTAssertFalse(pool.submit {}, "a pool that was shut down takes no job")
    }

    func testTheQueueBoundRefusesABurst() {
        let pool = WorkerPool(threads: 1, queueLimit: 2)
        let release = Mutex(false)
        let started = Mutex(false)
        XCTAssertTrue(
            pool.submit {
                started.withLock { $0 = true }
                while !release.withLock({ $0 }) { usleep(1_000) }
            })
        while !started.withLock({ $0 }) { usleep(1_000) }
        XCTAssertTrue(pool.submit {})
        XCTAssertTrue(pool.submit {})
        XCTAssertFalse(pool.submit {}, "two waiting is the limit")
        release.withLock { $0 = true }
        pool.shutdown()
    }

    /// A pool released without `shutdown()` (an endpoint whose `listen` threw right after
    /// making its pool) used to trap: its threads read the pool while it was being destroyed.
    func testAPoolReleasedWithoutShutdownStopsItsThreads() {
        for _ in 0..<200 {
            _ = WorkerPool(threads: 2)
        }
        let done = Mutex(false)
        do {
            let pool = WorkerPool(threads: 1)
            pool.submit { done.withLock { $0 = true } }
        }
        XCTAssertTrue(done.withLock { $0 }, "release ran the queued job to completion")
    }
}
