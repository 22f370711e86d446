import AWSConnectionsCore
import Logging
import ServiceLifecycle

/// Removes what has passed its retention (deleted connections' history, old Idempotency-Keys,
/// and live connections' history beyond the policy's cap) once at start and then every
/// `interval`, until the server shuts down.
///
/// Kept off the request path: a create or delete then never pays for another account's
/// leftovers. Reads already ignore anything past its retention, so how late a purge runs
/// changes only how much space is used, never what clients see. Several replicas purging
/// at once is harmless: each delete is idempotent.
struct Housekeeping: Service {
    let store: any ConnectionStore
    let policy: ServicePolicy
    let interval: Duration
    let logger: Logger

    func run() async {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await purgeOnce()
                try? await Task.sleep(for: interval)
            }
        }
    }

    private func purgeOnce() async {
        let now = Timestamp.now()
        do {
            try await store.purge(
                deletedBefore: policy.deletedHistoryCutoff(now: now),
                idempotencyKeysBefore: IdempotentCreate.expiryCutoff(now: now))
        } catch {
            // A store outage is reported by the requests themselves; the next round retries.
            logger.warning("housekeeping could not purge", metadata: ["error": "\(error)"])
        }
        guard let cap = policy.liveHistoryCap else { return }
        do {
            let trimmed = try await store.trimHistory(cap, keptSince: now.subtracting(cap.keepFor))
            if trimmed > 0 { logger.info("trimmed history", metadata: ["records": "\(trimmed)"]) }
        } catch is CancellationError {
            return
        } catch {
            logger.warning("housekeeping could not trim history", metadata: ["error": "\(error)"])
        }
    }
}
