//! Projects of the control plane (account token).
use super::*;

#[tonic::async_trait]
impl pb::project_service_server::ProjectService for Api {
    async fn create_project(&self, req: Request<pb::CreateProjectRequest>) -> Rpc<pb::Project> {
        let creds = credentials(req.metadata());
        ok(self
            .core
            .create_project(&creds, &req.into_inner().name)
            .await
            .map(project))
    }

    async fn list_projects(
        &self,
        req: Request<pb::ListProjectsRequest>,
    ) -> Rpc<pb::ListProjectsResponse> {
        let creds = credentials(req.metadata());
        ok(self
            .core
            .list_projects(&creds)
            .await
            .map(|ps| pb::ListProjectsResponse {
                projects: ps.into_iter().map(project).collect(),
            }))
    }

    async fn get_project(&self, req: Request<pb::GetProjectRequest>) -> Rpc<pb::Project> {
        let creds = credentials(req.metadata());
        ok(self
            .core
            .get_project(&creds, req.into_inner().project)
            .await
            .map(project))
    }

    async fn delete_project(
        &self,
        req: Request<pb::DeleteProjectRequest>,
    ) -> Rpc<pbjson_types::Empty> {
        let creds = credentials(req.metadata());
        ok(self
            .core
            .delete_project(&creds, req.into_inner().project)
            .await
            .map(|()| pbjson_types::Empty {}))
    }
}
