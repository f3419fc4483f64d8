import AtelierDomain
import AtelierText
import Foundation

// One port per aggregate, along the lines of the `SQLAccess+*.swift` files. `StoreReader` and
// `StoreTransaction` (Store.swift) are all of them together, as one SQL store implements them.

/// The orders port: the aggregate, its history, quotes and staff notes, the lists and counts of the
/// dashboards, and the `Idempotency-Key` records of the requests that create orders.
///
/// Reads: each needs no transaction.
public protocol OrderReads: Sendable {
    func order(id: String) async throws -> Order?
    func order(trackingNumber: String) async throws -> Order?
    func history(orderID: String) async throws -> [HistoryEntry]
    func quote(orderID: String) async throws -> Quote?
    func notes(orderID: String) async throws -> [OrderNote]
    /// An order with what its page shows, read on one snapshot of the database: its model, its
    /// quote, its history and, when `withNotes`, its staff notes. Nil when there is no such order.
    func orderSnapshot(id: String, withNotes: Bool) async throws -> OrderSnapshot?
    /// Orders matching `filter`, most recently changed first.
    func orders(_ filter: OrderFilter, page: PageRequest) async throws -> Page<Order>
    /// The same orders, each with its customer's name and e-mail and its quote's total, in one read.
    func orderSummaries(_ filter: OrderFilter, page: PageRequest) async throws -> Page<OrderSummary>
    /// What one customer (or partner) holds now: orders neither closed nor cancelled, and the
    /// bytes of the distinct models of all its orders.
    func holdings(customerID: String) async throws -> (openOrders: Int, modelBytes: Int64)
    /// Number of orders per status (every status present, zero where none).
    func statusCounts() async throws -> [OrderStatus: Int]
    func idempotency(scope: String, key: String) async throws -> IdempotencyRecord?
    /// What an operator took and what it earned.
    func earnings(operatorID: String) async throws -> [EarningRow]
    /// Orders in `status` since before `enteredBefore`, longest waiting first.
    func stalledOrders(status: OrderStatus, enteredBefore: Date, limit: Int) async throws -> [Order]
    /// Open orders whose promised delivery date has passed.
    func countOrdersPastPromise(at now: Date) async throws -> Int
}

/// The orders port: the aggregate, its history, quotes and staff notes, the lists and counts of the
/// dashboards, and the `Idempotency-Key` records of the requests that create orders.
///
/// Changes, inside one transaction.
public protocol OrderWrites: Sendable {
    func insert(order: Order) async throws
    /// Saves the order; `previousStatus` keeps the per-status counts right.
    func update(order: Order, previousStatus: OrderStatus) async throws
    func append(history: [HistoryEntry]) async throws
    /// Saves the order and appends its `history` together: one statement on PostgreSQL (one round
    /// trip, however many rows), the two above on SQLite.
    func update(order: Order, previousStatus: OrderStatus, appending history: [HistoryEntry]) async throws
    func insert(quote: Quote, orderID: String, at: Date) async throws
    /// Where the order goes: set when it is placed, kept as it was.
    func setDelivery(_ delivery: DeliveryDetails, orderID: String, at: Date) async throws
    /// Where the order goes, and the same address kept for the customer's next checkout: one
    /// statement on PostgreSQL, two on SQLite.
    func setDelivery(_ delivery: DeliveryDetails, orderID: String, savingFor userID: String, at: Date) async throws
    func insert(note: OrderNote) async throws
    func insert(idempotency: IdempotencyRecord) async throws
}

/// The accounts port: users and their sessions.
///
/// Reads: each needs no transaction.
public protocol AccountReads: Sendable {
    func user(id: String) async throws -> UserAccount?
    func user(email: String) async throws -> UserAccount?
    /// The account whose e-mail preferences link has `emailToken`.
    func user(emailToken: String) async throws -> UserAccount?
    /// The user of a session that is neither past its end nor idle since `idleSince`, of an account
    /// that is not disabled, with when the session was last used.
    func session(tokenHash: String, at now: Date, idleSince: Date) async throws -> (UserAccount, lastSeen: Date)?
    func users(role: Role?, search: String?, page: PageRequest) async throws -> Page<UserAccount>
    /// The addresses the user ordered to, the most recently used first (at most five).
    func savedDeliveries(userID: String) async throws -> [DeliveryDetails]
    /// The account link whose SHA-256 is `hash`, used or not.
    func accountToken(hash: String) async throws -> AccountToken?
}

/// The accounts port: users and their sessions.
///
/// Changes, inside one transaction.
public protocol AccountWrites: Sendable {
    func insert(user: UserAccount) async throws
    /// Gives the user another role; their sessions carry it from their next request.
    func update(userID: String, role: Role) async throws
    func insertSession(tokenHash: String, userID: String, createdAt: Date, expiresAt: Date) async throws
    func deleteSession(tokenHash: String) async throws
    /// Marks the session used now (its idle time starts again).
    func touchSession(tokenHash: String, at now: Date) async throws
    /// Ends every session of the user but `tokenHash`'s; returns how many ended.
    func deleteSessions(userID: String, except tokenHash: String?) async throws -> Int
    /// Removes sessions past their end or idle since `idleSince`; returns how many.
    func deleteExpiredSessions(at now: Date, idleSince: Date) async throws -> Int
    func update(userID: String, passwordHash: String) async throws
    func update(userID: String, disabledAt: Date?) async throws
    func insert(token: AccountToken) async throws
    /// Keeps `delivery` among the user's addresses (once, however often used), marked used at `at`.
    func saveDelivery(_ delivery: DeliveryDetails, userID: String, at: Date) async throws
    /// Marks every unused link of the user for `purpose` used: one link used ends its siblings.
    func useTokens(userID: String, purpose: AccountTokenPurpose, at: Date) async throws
    /// Records that the user's address is confirmed (the first time only).
    func markEmailVerified(userID: String, at: Date) async throws
    /// The language the person reads Atelier and its e-mails in.
    func update(userID: String, language: Language) async throws
    /// Whether the person gets the e-mails that are not essential.
    func update(userID: String, progressEmails: Bool) async throws
    /// Gives the account the token of its e-mail preferences link unless it has one; returns the one it has.
    func emailToken(userID: String, new: String) async throws -> String
}

/// The catalog port: the price list, catalog pieces, stored models and cached quotes.
///
/// Reads: each needs no transaction.
public protocol CatalogReads: Sendable {
    func priceList() async throws -> PriceList
    /// The newest version of the casting rules (version 1, the published figures, comes with the schema).
    func castingRules() async throws -> CastingRules
    func catalog() async throws -> [CatalogItem]
    func catalogItem(id: String) async throws -> CatalogItem?
    func model(hash: String) async throws -> ModelInfo?
    /// The model's bytes where releases before the model store kept them, in the database; nil once
    /// `atelier models migrate` moved them (or for a model that was always in the store).
    func modelBytes(hash: String) async throws -> [UInt8]?
    /// Up to `limit` hashes of models whose bytes are still in the database, after `after`, in order.
    func modelsKeptInDatabase(after: String?, limit: Int) async throws -> [String]
    /// Every model an order or a catalog piece refers to.
    func referencedModelHashes() async throws -> Set<String>
    func cachedQuote(key: String) async throws -> Quote?
}

/// The catalog port: the price list, catalog pieces, stored models and cached quotes.
///
/// Changes, inside one transaction.
public protocol CatalogWrites: Sendable {
    func cache(quote: Quote, key: String, at: Date) async throws
    /// Replaces the price list (materials, finishes, labour) and stores it under `priceList.version`.
    func save(priceList: PriceList) async throws
    /// Stores a whole set of casting rules under `castingRules.version`.
    func save(castingRules: CastingRules) async throws
    func insert(catalogItem: CatalogItem) async throws
    /// Records a model's analysis once (its bytes are in the model store): a second insert of the
    /// same hash is a no-op.
    func insert(model: ModelInfo, at: Date) async throws
    /// Keeps a model's bytes in the database, as releases before the model store did (what
    /// `atelier models migrate` moves; only its tests write new ones).
    func keepInDatabase(modelBytes: [UInt8], hash: String) async throws
    /// Removes the database's copy of a model's bytes, once the model store holds them.
    func removeDatabaseCopy(modelHash: String) async throws
}

/// The job queue port: the durable queue of jobs.
///
/// Reads: each needs no transaction.
public protocol JobQueueReads: Sendable {
    /// The newest job of `kind` about `subject`.
    func latestJob(subject: String, kind: String) async throws -> JobRecord?
    func job(id: Int64) async throws -> JobRecord?
    func jobs(state: JobState, page: PageRequest) async throws -> Page<JobRecord>
    func jobCounts() async throws -> [JobCount]
}

/// The job queue port: the durable queue of jobs.
///
/// Changes, inside one transaction.
public protocol JobQueueWrites: Sendable {
    /// Adds a job; it commits with the rest of the transaction.
    @discardableResult
    func enqueue(_ job: NewJob) async throws -> Int64
    /// Leases up to `limit` due jobs of `queues` to `worker` until `leaseUntil`.
    func claimJobs(queues: [String], worker: String, limit: Int, now: Date, leaseUntil: Date) async throws -> [JobRecord]
    func completeJob(id: Int64, worker: String, at: Date) async throws
    func retryJob(id: Int64, worker: String, error: String, runAt: Date, at: Date) async throws
    func deadLetterJob(id: Int64, error: String, at: Date) async throws
    /// Puts a dead job back in the queue with a fresh count of attempts. Returns false if it was not dead.
    func redriveJob(id: Int64, at: Date) async throws -> Bool
    /// Hands a claimed job back to the queue until `runAt` without counting the claim as an attempt.
    func deferJob(id: Int64, worker: String, runAt: Date, at: Date) async throws
}

/// The partners port: partners and their API keys.
///
/// Reads: each needs no transaction.
public protocol PartnerReads: Sendable {
    func partner(id: String) async throws -> Partner?
    func partners() async throws -> [Partner]
    /// The active key with this SHA-256 and its partner.
    func partnerKey(hash: String) async throws -> (PartnerKey, Partner)?
    func partnerKeys(partnerID: String) async throws -> [PartnerKey]
}

/// The partners port: partners and their API keys.
///
/// Changes, inside one transaction.
public protocol PartnerWrites: Sendable {
    func insert(partner: Partner) async throws
    func update(partner: Partner) async throws
    func insert(partnerKey: PartnerKey) async throws
    /// Revokes a key of the partner; false when it does not exist or was already revoked.
    func revokePartnerKey(id: String, partnerID: String, at: Date) async throws -> Bool
}

/// The webhooks port: partners' webhook endpoints, events and deliveries.
///
/// Reads: each needs no transaction.
public protocol WebhookReads: Sendable {
    func webhookEndpoint(id: String) async throws -> WebhookEndpoint?
    /// The partner's endpoints, or every partner's with `partnerID` nil; active ones only with `activeOnly`.
    func webhookEndpoints(partnerID: String?, activeOnly: Bool) async throws -> [WebhookEndpoint]
    /// Endpoints with their delivery counts and last outcomes; every partner's with `partnerID` nil.
    func webhookHealth(partnerID: String?) async throws -> [WebhookEndpointHealth]
    func webhookEvent(id: Int64) async throws -> WebhookEvent?
    func webhookDelivery(id: Int64) async throws -> WebhookDelivery?
    /// The first delivery still pending before `delivery` in its stream (same endpoint and order), if any.
    func pendingPredecessor(of delivery: WebhookDelivery) async throws -> WebhookDelivery?
    func webhookDeliveries(partnerID: String, state: DeliveryState?, orderID: String?, page: PageRequest) async throws -> Page<
        WebhookDelivery
    >
}

/// The webhooks port: partners' webhook endpoints, events and deliveries.
///
/// Changes, inside one transaction.
public protocol WebhookWrites: Sendable {
    func insert(webhookEndpoint: WebhookEndpoint) async throws
    /// Disables the endpoint and gives up its pending deliveries; false when it was not active.
    func disableWebhookEndpoint(id: String, at: Date) async throws -> Bool
    /// Stores the event and returns it with its id.
    func insert(webhookEvent: WebhookEvent) async throws -> WebhookEvent
    /// A pending delivery of `event` to `endpointID`; returns its id.
    func insertDelivery(event: WebhookEvent, endpointID: String, replayOf: Int64?, at: Date) async throws -> Int64
    func setDeliveryJob(deliveryID: Int64, jobID: Int64) async throws
    func record(_ attempt: DeliveryAttempt, deliveryID: Int64, at: Date) async throws
}

/// The e-mails port: what customers are written about their orders and accounts.
///
/// Reads: each needs no transaction.
public protocol MailReads: Sendable {
    /// The e-mail `id` with its order, quote and customer, in one read.
    func emailDraft(id: Int64) async throws -> EmailDraft?
    /// The e-mails about an order, oldest first.
    func emails(orderID: String) async throws -> [OutgoingEmail]
    /// The e-mails about the user's account, oldest first.
    func accountEmails(userID: String) async throws -> [OutgoingEmail]
    /// How many e-mails of `kind` the user was written since `since` (a limit on asking for them).
    func emailCount(userID: String, kind: CustomerEmailKind, since: Date) async throws -> Int
}

/// The e-mails port: what customers are written about their orders and accounts.
///
/// Changes, inside one transaction.
public protocol MailWrites: Sendable {
    /// Records an e-mail to send; nil when one with its key was recorded before (it is never sent twice).
    func insertEmail(key: String, kind: CustomerEmailKind, orderID: String?, userID: String, at: Date) async throws -> Int64?
    func markEmailSent(id: Int64, at: Date) async throws
}

/// The feature flags port: how each flag is set, and its changes.
///
/// Reads: each needs no transaction.
public protocol FlagReads: Sendable {
    /// Every stored flag, with the id of the newest change (0 when there is none): one snapshot.
    func featureFlags() async throws -> FlagSnapshot
    /// The id of the newest change: what an instance compares to know its flags are current.
    func flagRevision() async throws -> Int64
    /// The changes of `key`, newest first, at most `limit`.
    func flagChanges(key: String, limit: Int) async throws -> [FlagChange]
}

/// The feature flags port: how each flag is set, and its changes.
///
/// Changes, inside one transaction.
public protocol FlagWrites: Sendable {
    /// The flag as stored, locked for this transaction on PostgreSQL.
    func featureFlagForUpdate(key: String) async throws -> FeatureFlag?
    /// Stores `flag` and records the change from `before`.
    func save(flag: FeatureFlag, before: FeatureFlag?) async throws
}
