"""A throwaway stock EverShop store (Node, React, PostgreSQL) for crawler tests."""
