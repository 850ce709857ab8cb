//! Rules CRUD (account token).
use super::*;

#[tonic::async_trait]
impl pb::rule_service_server::RuleService for Api {
    async fn list_rules(&self, req: Request<pb::ListRulesRequest>) -> Rpc<pb::ListRulesResponse> {
        let p = self
            .authenticate(&req, auth::RULE_SERVICE_LIST_RULES, None)
            .await?;
        ok(self
            .core
            .list_rules(p.account()?, req.into_inner().project)
            .await
            .map(|rs| pb::ListRulesResponse {
                rules: rs.into_iter().map(rule).collect(),
            }))
    }

    async fn create_rule(&self, req: Request<pb::CreateRuleRequest>) -> Rpc<pb::Rule> {
        let p = self
            .authenticate(&req, auth::RULE_SERVICE_CREATE_RULE, None)
            .await?;
        let r = req.into_inner();
        let change = RuleChange {
            name: Some(r.name),
            expression: Some(r.expression),
            action: rule_action(r.action)?,
            is_active: r.is_active,
            sort_order: r.sort_order,
        };
        ok(self
            .core
            .create_rule(p.account()?, r.project, change)
            .await
            .map(rule))
    }

    async fn get_rule(&self, req: Request<pb::GetRuleRequest>) -> Rpc<pb::Rule> {
        let p = self
            .authenticate(&req, auth::RULE_SERVICE_GET_RULE, None)
            .await?;
        let r = req.into_inner();
        ok(self
            .core
            .get_rule(p.account()?, r.project, r.rule)
            .await
            .map(rule))
    }

    async fn update_rule(&self, req: Request<pb::UpdateRuleRequest>) -> Rpc<pb::Rule> {
        let p = self
            .authenticate(&req, auth::RULE_SERVICE_UPDATE_RULE, None)
            .await?;
        let r = req.into_inner();
        let change = RuleChange {
            name: r.name,
            expression: r.expression,
            action: rule_action(r.action)?,
            is_active: r.is_active,
            sort_order: r.sort_order,
        };
        ok(self
            .core
            .update_rule(p.account()?, r.project, r.rule, change)
            .await
            .map(rule))
    }

    async fn delete_rule(&self, req: Request<pb::DeleteRuleRequest>) -> Rpc<pbjson_types::Empty> {
        let p = self
            .authenticate(&req, auth::RULE_SERVICE_DELETE_RULE, None)
            .await?;
        let r = req.into_inner();
        ok(self
            .core
            .delete_rule(p.account()?, r.project, r.rule)
            .await
            .map(|()| pbjson_types::Empty {}))
    }
}
