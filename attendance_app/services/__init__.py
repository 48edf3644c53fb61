"""Services: the use-cases (enrol, identify, attend, train, report) that combine the layers."""
