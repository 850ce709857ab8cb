//! Projects of the control plane (account token).
use super::*;

#[tonic::async_trait]
impl pb::project_service_server::ProjectService for Api {
    async fn create_project(&self, req: Request<pb::CreateProjectRequest>) -> Rpc<pb::Project> {
        let p = self
            .authenticate(&req, auth::PROJECT_SERVICE_CREATE_PROJECT, None)
            .await?;
        ok(self
            .core
            .create_project(p.account()?, &req.into_inner().name)
            .await
            .map(project))
    }

    async fn list_projects(
        &self,
        req: Request<pb::ListProjectsRequest>,
    ) -> Rpc<pb::ListProjectsResponse> {
        let p = self
            .authenticate(&req, auth::PROJECT_SERVICE_LIST_PROJECTS, None)
            .await?;
        ok(self
            .core
            .list_projects(p.account()?)
            .await
            .map(|ps| pb::ListProjectsResponse {
                projects: ps.into_iter().map(project).collect(),
            }))
    }

    async fn get_project(&self, req: Request<pb::GetProjectRequest>) -> Rpc<pb::Project> {
        let p = self
            .authenticate(&req, auth::PROJECT_SERVICE_GET_PROJECT, None)
            .await?;
        ok(self
            .core
            .get_project(p.account()?, req.into_inner().project)
            .await
            .map(project))
    }

    async fn delete_project(
        &self,
        req: Request<pb::DeleteProjectRequest>,
    ) -> Rpc<pbjson_types::Empty> {
        let p = self
            .authenticate(&req, auth::PROJECT_SERVICE_DELETE_PROJECT, None)
            .await?;
        ok(self
            .core
            .delete_project(p.account()?, req.into_inner().project)
            .await
            .map(|()| pbjson_types::Empty {}))
    }
}
