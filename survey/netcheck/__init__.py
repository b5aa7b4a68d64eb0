"""Pre-flight checks of the network path a charger needs (DNS, TCP 443/8883, TLS, NTP,
gateway). Sits beside ``survey.scan``; may use ``project`` values (charger profiles); no Qt."""
