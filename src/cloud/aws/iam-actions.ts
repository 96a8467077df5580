// Every AWS API call the operator makes, and the IAM action that authorizes it: the source of
// truth for docs/iam-policy.json, as controllers/api-access.ts is for the chart's RBAC. An API
// operation and its IAM action are not always the same name (AWS Budgets authorizes six
// operations with two actions), so each line says which operations it covers, by file and SDK
// command. A unit test finds every `new …Command(` in src/ on a line here, finds each line's
// command in its file, and compares the policy's actions with this list both ways; the offline
// IAM linter (hack/lint/iam-policies.py, in `make verify`) checks each action is one AWS knows.
// The mapping is AWS's Service Authorization Reference ("API operations defined by …").

/** An SDK command sent from a file under src/. */
export interface AwsCall {
  file: string;
  /** The SDK command's operation: `DescribeBudget` for `DescribeBudgetCommand`. */
  operation: string;
}

export interface IamGrant {
  /** `service:Action` as IAM spells it. */
  action: string;
  /** The calls that need it. */
  usedBy: AwsCall[];
  /** Why, when the action is not simply the operation's own name. */
  why?: string;
}

const at = (file: string, ...operations: string[]): AwsCall[] => operations.map((operation) => ({ file: `src/cloud/aws/${file}`, operation }));
const grant = (action: string, ...usedBy: AwsCall[][]): IamGrant => ({ action, usedBy: usedBy.flat() });

export const IAM_ACTIONS: readonly IamGrant[] = [
  grant('autoscaling:DescribeAutoScalingGroups', at('autoscaling.ts', 'DescribeAutoScalingGroups')),
  grant('autoscaling:UpdateAutoScalingGroup', at('autoscaling.ts', 'UpdateAutoScalingGroup')),
  grant('autoscaling:CreateOrUpdateTags', at('autoscaling.ts', 'CreateOrUpdateTags')),
  grant('autoscaling:DeleteTags', at('autoscaling.ts', 'DeleteTags')),
  grant('ec2:DescribeLaunchTemplateVersions', at('launch-templates.ts', 'DescribeLaunchTemplateVersions')),
  // Budgets has no action per operation: reads are ViewBudget, every write (a budget or one of
  // its notifications) is ModifyBudget. CreateBudget would also need budgets:TagResource if it
  // passed ResourceTags; it does not.
  { ...grant('budgets:ViewBudget', at('budgets.ts', 'DescribeBudget', 'DescribeNotificationsForBudget')), why: 'Budgets authorizes its reads with ViewBudget' },
  { ...grant('budgets:ModifyBudget', at('budgets.ts', 'CreateBudget', 'DeleteBudget', 'CreateNotification', 'DeleteNotification')), why: 'Budgets authorizes its writes with ModifyBudget' },
  grant('ce:GetCostAndUsage', at('cost-explorer.ts', 'GetCostAndUsage')),
  grant('sts:GetCallerIdentity', at('account.ts', 'GetCallerIdentity')),
  grant('sqs:GetQueueAttributes', at('sqs.ts', 'GetQueueAttributes')),
  grant('cloudwatch:GetMetricData', at('cloudwatch.ts', 'GetMetricData'), at('metric-history.ts', 'GetMetricData')),
  grant('sts:AssumeRole', at('credentials.ts', 'AssumeRole')),
  // AssumeRole with session tags (the guard's namespace) needs TagSession on the caller too.
  { ...grant('sts:TagSession', at('credentials.ts', 'AssumeRole')), why: 'AssumeRole passes session Tags' },
];

/**
 * AWS calls only the `costguard export` command makes, with the operator's credentials absent:
 * documented in docs/history.md, never granted to the operator.
 */
export const CLI_ONLY_IAM_ACTIONS: readonly IamGrant[] = [
  grant('sqs:GetQueueUrl', at('history-sources.ts', 'GetQueueUrl')),
];
