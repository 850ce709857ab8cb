//! The detection registry (no credential).
use super::*;

#[tonic::async_trait]
impl pb::detection_service_server::DetectionService for Api {
    async fn list_detections(
        &self,
        req: Request<pb::ListDetectionsRequest>,
    ) -> Rpc<pb::ListDetectionsResponse> {
        self.authenticate(&req, auth::DETECTION_SERVICE_LIST_DETECTIONS, None)
            .await?;
        Ok(Response::new(pb::ListDetectionsResponse {
            detections: registry::REGISTRY
                .iter()
                .map(|d| pb::Detection {
                    id: d.id,
                    hex: d.hex(),
                    family: d.family.as_str().to_string(),
                    family_byte: d.family.byte() as u32,
                    engine: d.engine.to_string(),
                    name: d.name.to_string(),
                    label: d.label.to_string(),
                    description: d.description.to_string(),
                })
                .collect(),
        }))
    }
}
