// The port for EC2 launch templates: which instance type a template version launches, for
// pricing groups that have no instances yet. Rejects only with CloudError.
import type { LaunchTemplateRef } from './scaling-groups.ts';

export interface LaunchTemplates {
  /**
   * The instance type of the referenced version ($Default when the ref names none), or
   * undefined when that version sets no single type (e.g. attribute-based selection).
   * Rejects with CloudError `NotFound` when the template or version does not exist.
   */
  instanceType(ref: LaunchTemplateRef): Promise<string | undefined>;
}
