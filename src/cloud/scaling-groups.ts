// The port controllers use to observe and clamp EC2 Auto Scaling groups. It lists only what
// the ceilings and brake need; the AWS adapter (cloud/aws/autoscaling.ts) and any test fake
// implement it. Every method rejects only with CloudError (see cloud/errors.ts) for provider
// failures, and with TypeError for arguments that no provider would accept.

/** An Auto Scaling group as CostGuard sees it. */
export interface ScalingGroup {
  readonly name: string;
  readonly arn: string;
  readonly minSize: number;
  readonly maxSize: number;
  readonly desiredCapacity: number;
  /** Instances in the `InService` lifecycle state (not pending, not terminating). */
  readonly inService: number;
  /**
   * Distinct instance types, sorted: those of the group's current instances plus any
   * mixed-instances overrides. Empty for a group with no instances whose type lives only
   * in a launch template or launch configuration (resolving those needs EC2 calls).
   */
  readonly instanceTypes: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
  readonly createdTime?: Date;
  /** InService instances per instance type (cost estimate). */
  readonly inServiceByType?: Readonly<Record<string, number>>;
  /** Mixed-instances override types, sorted: what the group may launch when set. */
  readonly overrideTypes?: readonly string[];
  /** The launch template the group launches from (directly or in its mixed-instances policy). */
  readonly launchTemplate?: LaunchTemplateRef;
}

/** A launch template by id or name, and the version the group uses ($Default when absent). */
export interface LaunchTemplateRef {
  readonly id?: string;
  readonly name?: string;
  readonly version?: string;
}

/** The limits setLimits may write. An omitted field is left unchanged. */
export interface ScalingLimits {
  /** Only ever lowered by CostGuard, when a ceiling is below the group's MinSize. */
  readonly minSize?: number;
  readonly maxSize?: number;
  readonly desiredCapacity?: number;
}

export interface ScalingGroups {
  /**
   * Describes the named groups. Names that do not exist are simply absent from the result
   * (not an error); duplicates are described once. Order is unspecified. The adapter batches
   * names (AWS: at most 100 per DescribeAutoScalingGroups call, the batches run concurrently
   * under the shared call limiter); if any batch fails the whole call rejects with its
   * CloudError, so a caller never mistakes a partial answer for "those groups are gone".
   */
  describe(names: readonly string[]): Promise<ScalingGroup[]>;

  /**
   * Describes every group carrying ALL of the selector's tags with exactly those values
   * (other tags are allowed). Follows pagination to the end. An empty selector is a TypeError:
   * "select everything" is never what a cost ceiling means.
   */
  findByTags(selector: Readonly<Record<string, string>>): Promise<ScalingGroup[]>;

  /**
   * Writes MinSize, MaxSize and/or DesiredCapacity with one update call, nothing else. It does not
   * read first and does not decide whether writing is wise: the caller compares and decides.
   * Rejects with CloudError `NotFound` when the group does not exist, `Contention` while a
   * scaling activity holds the group, `Invalid` when the provider refuses the values (e.g.
   * MaxSize below MinSize); TypeError when limits is empty, a value is not a non-negative
   * integer, or desiredCapacity exceeds maxSize. On AWS, lowering MaxSize below the current
   * desired capacity also lowers DesiredCapacity to the new MaxSize.
   */
  setLimits(name: string, limits: ScalingLimits): Promise<void>;

  /**
   * Creates or overwrites tags on the group (not propagated to instances). CostGuard uses this
   * to record an original on the group before it changes a value. Rejects with CloudError
   * `NotFound` when the group does not exist; TypeError for an empty map or an empty key.
   */
  setTags(name: string, tags: Readonly<Record<string, string>>): Promise<void>;

  /** Removes the tags with these keys; absent keys are not an error. TypeError for an empty list. */
  deleteTags(name: string, keys: readonly string[]): Promise<void>;
}

/** Argument checks for setTags/deleteTags, shared with the fakes. */
export function validateTags(name: string, keys: readonly string[]): void {
  if (typeof name !== 'string' || name.length === 0) throw new TypeError('tags: name must be a non-empty string');
  if (keys.length === 0) throw new TypeError(`tags(${name}): give at least one tag`);
  if (keys.some((k) => typeof k !== 'string' || k.length === 0 || k.length > 128)) throw new TypeError(`tags(${name}): tag keys are 1..128 characters`);
}

/** Argument checks every ScalingGroups implementation applies, so fakes behave like AWS. */
export function validateLimits(name: string, limits: ScalingLimits): void {
  if (typeof name !== 'string' || name.length === 0) throw new TypeError('setLimits: name must be a non-empty string');
  const { minSize, maxSize, desiredCapacity } = limits;
  const given = Object.entries({ minSize, maxSize, desiredCapacity }).filter(([, v]) => v !== undefined);
  if (given.length === 0) throw new TypeError(`setLimits(${name}): give minSize, maxSize or desiredCapacity`);
  for (const [field, value] of given) {
    if (!(Number.isInteger(value) && (value as number) >= 0)) {
      throw new TypeError(`setLimits(${name}): ${field} must be a non-negative integer, got ${String(value)}`);
    }
  }
  assertOrdered(name, 'desiredCapacity', desiredCapacity, maxSize);
  assertOrdered(name, 'minSize', minSize, maxSize);
}

function assertOrdered(name: string, field: string, value: number | undefined, maxSize: number | undefined): void {
  if (value !== undefined && maxSize !== undefined && value > maxSize) {
    throw new TypeError(`setLimits(${name}): ${field} ${value} exceeds maxSize ${maxSize}`);
  }
}

/** Throws TypeError for an empty or malformed tag selector. */
export function validateSelector(selector: Readonly<Record<string, string>>): void {
  const entries = Object.entries(selector ?? {});
  if (entries.length === 0) throw new TypeError('findByTags: the selector needs at least one tag');
  for (const [key, value] of entries) {
    if (key.length === 0 || typeof value !== 'string') {
      throw new TypeError(`findByTags: tag ${JSON.stringify(key)} needs a non-empty key and a string value`);
    }
  }
}

/** True when `tags` carries every key of `selector` with the same value. */
export function matchesSelector(tags: Readonly<Record<string, string>>, selector: Readonly<Record<string, string>>): boolean {
  return Object.entries(selector).every(([key, value]) => tags[key] === value);
}
