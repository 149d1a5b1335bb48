"""Role-based access control: permissions and the roles that hold them."""
