// Package statemachine holds organization mode's Step Functions definition, org-audit.asl.json,
// which template.yaml deploys as OrgAuditStateMachine with DefinitionSubstitutions filling its
// ${...} placeholders. The package has no code: its tests lint the definition against the
// Amazon States Language, check that the template and the definition agree (placeholders, the
// state machine's grants, the organization-mode resources and alarms), and run the definition
// in moto, with a recording fake in place of the three Lambda functions.
package statemachine
