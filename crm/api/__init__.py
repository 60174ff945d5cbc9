"""The JSON API (/api/v1/): personal access tokens, resources, reports and the OpenAPI document."""
